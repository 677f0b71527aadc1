package dev.strata.server.cli;

import dev.strata.engine.gguf.GgmlType;
import dev.strata.engine.tensor.ComputePool;
import dev.strata.engine.tensor.ModelQuantizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata quantize IN.gguf OUT.gguf TYPE}: rewrite a model's weight matrices in another type. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Convert the weight matrices of a GGUF model to another type (like llama-quantize --pure).",
            "1-D tensors stay as they are; metadata is kept. A matrix whose row length does not fit the type's "
                + "blocks falls back as llama.cpp does (Q4_K->Q5_0, Q5_K->Q5_1, Q6_K->Q8_0, Q2_K/Q3_K->Q4_0) "
                + "or keeps its source type; --strict refuses instead."})
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "Source .gguf (F32, F16 or BF16 weights).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output .gguf (written atomically).")
    Path output;

    @Parameters(index = "2", paramLabel = "TYPE",
            description = "Target type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.")
    String type;

    @Option(names = "--strict", description = "Refuse a matrix that does not fit TYPE's blocks instead of falling back.")
    boolean strict;

    @Option(names = "--allow-requantize", description = "Accept already-quantized source tensors.")
    boolean allowRequantize;

    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        GgmlType target = parseType(type);
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            throw new CliException("--threads must be at least 1, got " + n, ExitCodes.BAD_INPUT);
        }
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new CliException("OUT must differ from IN: " + output, ExitCodes.BAD_INPUT);
        }
        ModelQuantizer.Options options = new ModelQuantizer.Options(target, strict, allowRequantize);
        ModelQuantizer.Report report;
        long start = System.nanoTime();
        try (ComputePool pool = new ComputePool(n)) {
            report = new ModelQuantizer(pool).quantize(input, output, options);
        }
        print(report, target, System.nanoTime() - start, spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    static GgmlType parseType(String name) {
        GgmlType parsed;
        try {
            parsed = GgmlType.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        if (parsed == null || !ModelQuantizer.canTarget(parsed)) {
            throw new CliException("unsupported TYPE '" + name
                    + "'; choose one of F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K",
                    ExitCodes.BAD_INPUT);
        }
        return parsed;
    }

    private static void print(ModelQuantizer.Report report, GgmlType target, long nanos, PrintWriter out) {
        int converted = 0;
        int fellBack = 0;
        for (ModelQuantizer.TensorChange change : report.tensors()) {
            if (change.fallback()) {
                fellBack++;
                out.printf("  %s: rows do not fit %s blocks, written as %s%n", change.name(), target, change.to());
            } else if (change.to() == target) {
                converted++;
            }
        }
        int kept = report.tensors().size() - converted - fellBack;
        out.printf("%d tensors written as %s, %d fell back, %d kept as they were; %,d -> %,d bytes in %.1f s%n",
                converted, target, fellBack, kept, report.inputBytes(), report.outputBytes(), nanos / 1e9);
        out.flush();
    }
}
