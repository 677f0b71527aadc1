package dev.strata.server.cli;

import dev.strata.engine.EngineException;
import dev.strata.server.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code strata} command; subcommands do the work. */
@Command(name = "strata",
        mixinStandardHelpOptions = true,
        versionProvider = StrataCommand.Version.class,
        description = "Strata: a pure-Java inference engine and OpenAI-compatible model gateway.",
        subcommands = {ServeCommand.class, RunCommand.class, ChatCommand.class, InspectCommand.class,
            TokenizeCommand.class, TemplateCommand.class, QuantizeCommand.class, PullCommand.class, KeysCommand.class,
            CommandLine.HelpCommand.class})
public final class StrataCommand implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Parses and runs {@code args} with the user typing on standard input; returns the process exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, UserInput.stdin(), out, err);
    }

    /** Parses and runs {@code args}; interactive commands read {@code input}. Returns the process exit code. */
    static int run(String[] args, UserInput input, PrintWriter out, PrintWriter err) {
        StrataCommand root = new StrataCommand();
        CommandLine cli = new CommandLine(root, new Factory(input));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(StrataCommand::exitCodeOf);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("error: " + oneLine(e));
            if (root.debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return exitCodeOf(e);
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            err.println("error: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return ExitCodes.BAD_INPUT;
        });
        return cli.execute(args);
    }

    /** Creates subcommands, giving the interactive ones the user's input. */
    private record Factory(UserInput input) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            return type == ChatCommand.class ? type.cast(new ChatCommand(input)) : CommandLine.defaultFactory().create(type);
        }
    }

    static int exitCodeOf(Throwable e) {
        return switch (e) {
            case EngineException ignored -> ExitCodes.BAD_INPUT;
            case GatewayException.InvalidConfig ignored -> ExitCodes.BAD_INPUT;
            case GatewayException.UpstreamFailed ignored -> ExitCodes.FAILURE;
            case CliException c -> c.exitCode();
            default -> ExitCodes.FAILURE;
        };
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.replace('\n', ' ').strip();
    }

    /** Reads the version Maven wrote into the jar. */
    static String version() {
        return new Version().getVersion()[0].substring("strata ".length());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = StrataCommand.class.getResourceAsStream("/dev/strata/server/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                "strata " + p.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"
            };
        }
    }
}
