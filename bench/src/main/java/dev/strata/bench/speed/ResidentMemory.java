package dev.strata.bench.speed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident set size, {@code VmRSS} of {@code /proc/self/status} (Linux): heap, code and
 * every page of a mapped file that has been touched. Right after a model is loaded it shows whether the
 * loader read the weights eagerly (RSS near the file size) or mapped them and touched only metadata.
 */
public final class ResidentMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {}

    /** Resident bytes now, or -1 where {@code /proc/self/status} has no {@code VmRSS} line. */
    public static long bytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return parseKiloBytes(line.substring("VmRSS:".length())) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@code "   123456 kB"} → 123456. */
    static long parseKiloBytes(String value) {
        String v = value.strip();
        if (!v.endsWith("kB")) {
            throw new IllegalArgumentException("VmRSS not in kB: " + value);
        }
        return Long.parseLong(v.substring(0, v.length() - 2).strip());
    }
}
