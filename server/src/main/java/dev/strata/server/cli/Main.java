package dev.strata.server.cli;

import java.io.PrintWriter;

/** Entry point of the {@code strata} CLI and of the runnable jar. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = StrataCommand.run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }
}
