package dev.strata.server.cli;

/** Process exit codes shared by all subcommands. */
final class ExitCodes {
    static final int OK = 0;
    /** Something went wrong at run time (a failed download, a crashed server). */
    static final int FAILURE = 1;
    /** The input was bad: usage error, missing file, corrupt model. */
    static final int BAD_INPUT = 2;

    private ExitCodes() {}
}
