package dev.strata.server.cli;

import picocli.CommandLine.Option;

/** The {@code -t/--threads} option that {@code run} and {@code chat} share, as a picocli mixin. */
final class ThreadsOption {
    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    /** The thread count, all cores when not given; below 1 is a {@link CliException}. */
    int numThreads() {
        int numThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (numThreads < 1) {
            throw new CliException("--threads must be >= 1, got " + numThreads, ExitCodes.BAD_INPUT);
        }
        return numThreads;
    }
}
