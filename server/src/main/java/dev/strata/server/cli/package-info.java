/**
 * The {@code strata} command line (picocli). {@link dev.strata.server.cli.Main} is the entry point;
 * each subcommand is its own class. Errors reach the user as one line on stderr and a non-zero exit
 * code; {@code --debug} adds the stack trace.
 */
package dev.strata.server.cli;
