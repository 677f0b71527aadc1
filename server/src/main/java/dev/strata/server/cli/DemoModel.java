package dev.strata.server.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the bundled demo model ({@code models/stories260K.gguf}) is: under {@code strata.models.dir}
 * if set, else under {@code $STRATA_HOME/models} (the launcher sets it), else next to the checkout
 * the running jar was built in ({@code server/target/strata.jar} → {@code models/}), else under the
 * working directory.
 */
final class DemoModel {
    static final String FILE_NAME = "stories260K.gguf";

    /** The bundled demo model, relative to the installation root. */
    static final Path RELATIVE_PATH = Path.of("models", FILE_NAME);

    private DemoModel() {}

    /**
     * {@code model} (what {@code -m} gave) if not null, else the demo model under
     * {@code $STRATA_HOME} (the launcher exports its own directory), else where {@link #locate}
     * finds it.
     */
    static Path orDefault(Path model) {
        if (model != null) {
            return model;
        }
        String home = System.getenv("STRATA_HOME");
        return home == null || home.isBlank() ? locate() : Path.of(home).resolve(RELATIVE_PATH);
    }

    static Path locate() {
        String dir = System.getProperty("strata.models.dir");
        if (dir != null) {
            return Path.of(dir, FILE_NAME);
        }
        String home = System.getenv("STRATA_HOME");
        if (home != null && !home.isBlank() && Files.isRegularFile(Path.of(home, "models", FILE_NAME))) {
            return Path.of(home, "models", FILE_NAME);
        }
        try {
            Path jar = Path.of(DemoModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && root.getParent() != null) {
                Path candidate = root.getParent().resolve("models").resolve(FILE_NAME);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException ignored) {
            // fall through to the working directory
        }
        return Path.of("models", FILE_NAME);
    }
}
