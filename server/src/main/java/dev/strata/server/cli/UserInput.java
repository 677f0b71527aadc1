package dev.strata.server.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * What the user types, for interactive commands ({@code strata chat}): the lines of standard input,
 * and whether a person is at a terminal (then commands show prompts and a banner; piped input gets
 * none of that). Tests inject their own.
 *
 * @param lines    the input, read line by line
 * @param terminal true when standard input and output are an interactive terminal
 */
record UserInput(BufferedReader lines, boolean terminal) {

    UserInput {
        Objects.requireNonNull(lines, "lines");
    }

    /** Standard input in its own encoding ({@code stdin.encoding}); a terminal when the JVM has a console that is one. */
    static UserInput stdin() {
        Console console = System.console();
        Charset charset = Charset.forName(System.getProperty("stdin.encoding", ""), Charset.defaultCharset());
        return new UserInput(new BufferedReader(new InputStreamReader(System.in, charset)),
                console != null && console.isTerminal());
    }
}
