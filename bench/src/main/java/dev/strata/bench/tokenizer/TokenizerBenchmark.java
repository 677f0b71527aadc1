package dev.strata.bench.tokenizer;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata bench tokenize}: single-threaded encode throughput of Strata's tokenizers on about
 * 1 MB of English (generated, or {@code --text FILE}), for each vocabulary given. Reports the best
 * and median of the timed runs after warm-up, in MB/s of UTF-8 input, by wall clock and by the
 * thread's CPU time (which a busy machine disturbs less), and checks that decoding the ids gives
 * the text back.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Measure tokenizer encode throughput (MB/s) on ~1 MB of English text.")
public final class TokenizerBenchmark implements Callable<Integer> {
    private static final List<String> DEFAULT_VOCABS = List.of("llama-spm", "llama-bpe", "qwen2");

    @Option(names = "--vocab-dir", description = "Directory of ggml-vocab-NAME.gguf files (default: ${DEFAULT-VALUE}).",
            defaultValue = "engine/src/test/resources/tokenizers")
    Path vocabDir;

    @Option(names = {"-v", "--vocab"}, split = ",",
            description = "Vocabulary names (ggml-vocab-NAME.gguf) or .gguf paths; default: llama-spm,llama-bpe,qwen2.")
    List<String> vocabs;

    @Option(names = "--text", description = "UTF-8 text file to tokenize instead of generated English.")
    Path textFile;

    @Option(names = "--size-mb", description = "Size of generated text in MB (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    double sizeMb;

    @Option(names = "--runs", description = "Timed runs per vocabulary (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int runs;

    @Option(names = "--warmup", description = "Untimed runs first (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int warmup;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String text = textFile != null ? Files.readString(textFile, StandardCharsets.UTF_8)
                : EnglishText.generate((int) (sizeMb * 1_000_000), 42);
        int bytes = EnglishText.utf8Length(text);
        out.printf("text: %,d bytes of %s; %d warm-up + %d timed runs, one thread, Java %s%n", bytes,
                textFile != null ? textFile : "generated English", warmup, runs, Runtime.version());
        out.printf("%-12s %10s %12s %10s %12s %12s %12s%n", "vocab", "tokens", "bytes/token", "best MB/s",
                "median MB/s", "ms/MB (med)", "cpu MB/s");
        for (String name : vocabs != null ? vocabs : DEFAULT_VOCABS) {
            Path file = name.endsWith(".gguf") ? Path.of(name) : vocabDir.resolve("ggml-vocab-" + name + ".gguf");
            Tokenizer tokenizer;
            try (GgufFile gguf = GgufFile.open(file)) {
                tokenizer = Tokenizers.fromGguf(gguf);
            }
            Result r = measure(tokenizer, text, bytes);
            out.printf("%-12s %,10d %12.2f %10.1f %12.1f %12.1f %12.1f%n", name, r.tokens(),
                    (double) bytes / r.tokens(), r.bestMbPerSecond(), r.medianMbPerSecond(),
                    1000.0 / r.medianMbPerSecond(), r.medianCpuMbPerSecond());
            out.flush();
        }
        return 0;
    }

    /** Throughputs in MB (10^6 bytes) of UTF-8 input per second. */
    record Result(int tokens, double bestMbPerSecond, double medianMbPerSecond, double medianCpuMbPerSecond) {}

    Result measure(Tokenizer tokenizer, String text, int bytes) {
        int[] ids = tokenizer.encode(text, false, false);
        if (!tokenizer.decode(ids).equals(text)) {
            throw new IllegalStateException("decode(encode(text)) differs from the text");
        }
        for (int i = 0; i < warmup; i++) {
            tokenizer.encode(text, false, false);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            tokenizer.encode(text, false, false);
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            wall.add(bytes / 1e6 / (nanos / 1e9));
            cpu.add(bytes / 1e6 / (cpuNanos / 1e9));
        }
        double[] sorted = wall.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] sortedCpu = cpu.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(ids.length, sorted[sorted.length - 1], median(sorted), median(sortedCpu));
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
