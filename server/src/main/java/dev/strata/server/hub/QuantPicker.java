package dev.strata.server.hub;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the file to download when the user named only a repository: the first quantization in
 * {@link #PREFERENCE} that the repository has (Q4_K_M is the common size/quality sweet spot and what
 * llama.cpp's docs suggest), else the smallest single-file GGUF. Split files ({@code -00001-of-0000N})
 * are skipped.
 */
public final class QuantPicker {
    static final List<String> PREFERENCE = List.of("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q4_0", "Q5_K_S", "Q6_K", "Q8_0",
            "Q3_K_M", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "F16", "BF16", "F32");

    public Optional<HubFile> pick(List<HubFile> files) {
        List<HubFile> single = files.stream().filter(f -> !f.path().matches(".*-\\d{5}-of-\\d{5}\\.gguf")).toList();
        for (String quant : PREFERENCE) {
            String tag = quant.toLowerCase(Locale.ROOT);
            for (HubFile f : single) {
                String name = f.fileName().toLowerCase(Locale.ROOT);
                if (name.contains("." + tag + ".") || name.contains("-" + tag + ".") || name.contains("_" + tag + ".")) {
                    return Optional.of(f);
                }
            }
        }
        return single.stream().min(java.util.Comparator.comparingLong(HubFile::sizeBytes));
    }
}
