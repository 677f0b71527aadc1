package dev.strata.bench;

import dev.strata.bench.admission.AdmissionBenchmark;
import dev.strata.bench.tokenizer.TokenizerBenchmark;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./strata bench}: one subcommand per benchmark. A benchmark that fails prints
 * one line ({@code error: …}; exit code 2 for bad input, 1 otherwise) and its stack trace only with
 * {@code STRATA_BENCH_TRACE=1}.
 */
@Command(name = "strata bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that compare Strata with its peers in the same run.",
        subcommands = {GenModelCommand.class, EngineCommand.class, BandwidthCommand.class, ParityCommand.class,
            TokenizerBenchmark.class, HttpCommand.class, GatewayCommand.class, AdmissionBenchmark.class,
            ServeCommand.class, PrefixPersistCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    /** Exit code of a benchmark refused for its arguments (as picocli's own parameter errors). */
    static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.err, true), "1".equals(System.getenv("STRATA_BENCH_TRACE"))));
    }

    /** Runs {@code args}; errors go to {@code err} as one line (plus the trace when {@code trace}). */
    static int run(String[] args, PrintWriter err, boolean trace) {
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            err.println("error: " + message);
            if (trace) {
                e.printStackTrace(err);
            }
            err.flush();
            return e instanceof IllegalArgumentException ? BAD_INPUT : 1;
        });
        return cli.execute(args);
    }
}
