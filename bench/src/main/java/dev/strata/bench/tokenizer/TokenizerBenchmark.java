package dev.strata.bench.tokenizer;

import dev.strata.bench.peer.LlamaCppVocab;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata bench tokenize}: single-threaded encode throughput of Strata's tokenizers on about
 * 1 MB of English (generated, or {@code --text FILE}), for each vocabulary given, next to
 * llama.cpp's {@code llama_tokenize} (de.kherud:llama's build) on the same text and vocabulary.
 * Reports the median of the timed runs after warm-up, in MB/s of UTF-8 input, by wall clock and by
 * the thread's CPU time (which a busy machine disturbs less); checks that both produce the same ids
 * and that decoding gives the text back.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Measure tokenizer encode throughput (MB/s) on ~1 MB of English, Strata vs llama.cpp.")
public final class TokenizerBenchmark implements Callable<Integer> {
    private static final List<String> DEFAULT_VOCABS = List.of("llama-spm", "llama-bpe", "qwen2");

    @Option(names = "--vocab-dir", description = "Directory of ggml-vocab-NAME.gguf files "
            + "(default: engine/src/test/resources/tokenizers under $STRATA_HOME or the working directory).")
    Path vocabDir;

    @Option(names = {"-v", "--vocab"}, split = ",",
            description = "Vocabulary names (ggml-vocab-NAME.gguf) or .gguf paths; default: llama-spm,llama-bpe,qwen2.")
    List<String> vocabs;

    @Option(names = "--text", description = "UTF-8 text file to tokenize instead of generated English.")
    Path textFile;

    @Option(names = "--size-mb", description = "Size of generated text in MB (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    double sizeMb;

    @Option(names = "--runs", description = "Timed runs per tokenizer (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int runs;

    @Option(names = "--warmup", description = "Untimed runs first (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int warmup;

    @Option(names = "--no-peer", description = "Measure Strata only, not llama.cpp.")
    boolean noPeer;

    @Spec
    CommandSpec spec;

    /** Throughputs in MB (10^6 bytes) of UTF-8 input per second, medians of the timed runs. */
    record Result(int[] ids, double mbPerSecond, double cpuMbPerSecond) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String text = textFile != null ? Files.readString(textFile, StandardCharsets.UTF_8)
                : EnglishText.generate((int) (sizeMb * 1_000_000), 42);
        int bytes = EnglishText.utf8Length(text);
        out.printf("text: %,d bytes of %s; %d warm-up + %d timed runs, one thread; MB/s = 10^6 bytes/s, medians%n",
                bytes, textFile != null ? textFile : "generated English", warmup, runs);
        out.printf("%-12s %9s %8s | %12s %10s | %14s %12s | %s%n", "vocab", "tokens", "B/token",
                "strata MB/s", "cpu MB/s", "llama.cpp MB/s", "cpu MB/s", "same ids");
        Path dir = vocabDir != null ? vocabDir : defaultVocabDir();
        for (String name : vocabs != null ? vocabs : DEFAULT_VOCABS) {
            Path file = name.endsWith(".gguf") ? Path.of(name) : dir.resolve("ggml-vocab-" + name + ".gguf");
            Tokenizer tokenizer;
            try (GgufFile gguf = GgufFile.open(file)) {
                tokenizer = Tokenizers.fromGguf(gguf);
            }
            Result strata = measure(s -> tokenizer.encode(s, false, false), text, bytes);
            if (!tokenizer.decode(strata.ids()).equals(text)) {
                throw new IllegalStateException(name + ": decode(encode(text)) differs from the text");
            }
            String peerColumns = String.format("%14s %12s | %s", "-", "-", "-");
            if (!noPeer) {
                try (LlamaCppVocab llama = LlamaCppVocab.open(file)) {
                    Result peer = measure(s -> llama.tokenize(s, false, false), text, bytes);
                    peerColumns = String.format("%14.1f %12.1f | %s", peer.mbPerSecond(), peer.cpuMbPerSecond(),
                            Arrays.equals(peer.ids(), strata.ids()) ? "yes" : "NO");
                }
            }
            out.printf("%-12s %,9d %8.2f | %12.1f %10.1f | %s%n", name, strata.ids().length,
                    (double) bytes / strata.ids().length, strata.mbPerSecond(), strata.cpuMbPerSecond(), peerColumns);
            out.flush();
        }
        if (!noPeer) {
            out.println("llama.cpp: b4916 from de.kherud:llama 4.2.0 (llama_tokenize, add_special=false, parse_special=false)");
        }
        return 0;
    }

    /** The parity vocabularies of the checkout the launcher runs from ({@code $STRATA_HOME}), else of the working directory. */
    private static Path defaultVocabDir() {
        Path relative = Path.of("engine", "src", "test", "resources", "tokenizers");
        String home = System.getenv("STRATA_HOME");
        return home == null || home.isBlank() ? relative : Path.of(home).resolve(relative);
    }

    Result measure(Function<String, int[]> encode, String text, int bytes) {
        int[] ids = encode.apply(text);
        for (int i = 0; i < warmup; i++) {
            encode.apply(text);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            encode.apply(text);
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            wall[i] = bytes / 1e6 / (nanos / 1e9);
            cpu[i] = bytes / 1e6 / (cpuNanos / 1e9);
        }
        return new Result(ids, median(wall), median(cpu));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
