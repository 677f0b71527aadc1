package dev.strata.bench.gen;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the vocabulary file a shape names inside a Strata checkout: the demo model under
 * {@code models/}, llama.cpp's {@code ggml-vocab-*.gguf} files under the tokenizer test resources.
 */
public final class VocabLocator {
    private final List<Path> searchDirs;

    public VocabLocator(List<Path> searchDirs) {
        this.searchDirs = List.copyOf(searchDirs);
    }

    /** Searches the checkout this code runs from (or {@code -Dstrata.root}), then the working directory. */
    public static VocabLocator forCheckout() {
        List<Path> dirs = new ArrayList<>();
        for (Path root : checkoutRoots()) {
            dirs.add(root.resolve("models"));
            dirs.add(root.resolve("engine/src/test/resources/tokenizers"));
            dirs.add(root.resolve("bench/src/test/resources/vocab"));
        }
        return new VocabLocator(dirs);
    }

    /** The first file called {@code name} in the search directories. */
    public Optional<Path> find(String name) {
        return searchDirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst();
    }

    /** The vocabulary file for {@code shape}, or an error naming where it was looked for. */
    public Path require(ModelShape shape) {
        return find(shape.vocabFile()).orElseThrow(() -> new IllegalArgumentException("vocabulary " + shape.vocabFile()
                + " for shape " + shape.name() + " not found in " + searchDirs + "; pass --vocab FILE"));
    }

    private static List<Path> checkoutRoots() {
        List<Path> roots = new ArrayList<>();
        String property = System.getProperty("strata.root");
        if (property != null) {
            roots.add(Path.of(property));
        }
        try {
            Path code = Path.of(VocabLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("strata")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                    roots.add(p);
                    break;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall back to the working directory
        }
        roots.add(Path.of("").toAbsolutePath());
        return roots;
    }
}
