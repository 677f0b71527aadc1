package dev.strata.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -m/--model} option that {@code run} and {@code chat} share, as a picocli mixin. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF model file (default: the bundled demo model, models/stories260K.gguf).")
    Path model;

    /** Model files up to this size run on the scalar kernels in {@code run} and {@code chat} (see {@link #pathForLocalRun}). */
    static final long SCALAR_KERNELS_MAX_BYTES = 8L << 20;

    /** The given model file, or the bundled demo model. */
    Path path() {
        return DemoModel.orDefault(model);
    }

    /**
     * {@link #path()}, after choosing the scalar kernels for a tiny model (at most
     * {@link #SCALAR_KERNELS_MAX_BYTES}, such as the demo model) when {@code -Dstrata.kernels} does not
     * choose: a cold JVM runs the Vector API kernels interpreted, allocating every vector, until C2
     * compiles them, and for a model this small the scalar kernels need no warm-up and are fast enough
     * (the demo model's first token 60–100 ms after submission instead of 180–390 ms). Must run before
     * the engine's first tensor is touched, which fixes the choice for the JVM.
     */
    Path pathForLocalRun() {
        Path path = path();
        try {
            if (prefersScalarKernels(System.getProperty("strata.kernels"), Files.size(path))) {
                System.setProperty("strata.kernels", "scalar");
            }
        } catch (IOException e) {
            // a missing or unreadable file is reported by the engine when it opens it
        }
        return path;
    }

    /** Whether a model file of {@code fileBytes} gets the scalar kernels when the property is {@code kernelsProperty}. */
    static boolean prefersScalarKernels(String kernelsProperty, long fileBytes) {
        return kernelsProperty == null && fileBytes <= SCALAR_KERNELS_MAX_BYTES;
    }
}
