package dev.strata.bench;

import dev.strata.bench.admission.AdmissionBenchmark;
import dev.strata.bench.tokenizer.TokenizerBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./strata bench}: one subcommand per benchmark. */
@Command(name = "strata bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that compare Strata with its peers in the same run.",
        subcommands = {GenModelCommand.class, EngineCommand.class, BandwidthCommand.class, ParityCommand.class,
            TokenizerBenchmark.class, HttpCommand.class, GatewayCommand.class, AdmissionBenchmark.class,
            ServeCommand.class, PrefixPersistCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
