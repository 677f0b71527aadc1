package dev.strata.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -m/--model} option that {@code run} and {@code chat} share, as a picocli mixin. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model file (default: the bundled demo model, models/stories260K.gguf).")
    Path model;

    /** The given model file, or the bundled demo model. */
    Path path() {
        return DemoModel.orDefault(model);
    }
}
