package dev.strata.server.cli;

/** A CLI failure with a one-line message for the user and the exit code to leave with. */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
