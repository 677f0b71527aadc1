package dev.strata.bench.prefix;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.KvCacheDisk;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Does persisting the prefix cache pay? Each round: an engine with an empty KV cache directory
 * answers a prompt of a shared system prompt plus a short question (cold TTFT: the whole prompt is
 * computed), then closes (writing its cached blocks); a new engine on the same directory — a
 * restart — answers the same system prompt with another question (its TTFT includes reading the
 * prefix back from disk). For reference, the first engine also answers a second question while the
 * prefix is still in memory. TTFTs are the engine's own ({@code Finished.timings}); the median of
 * the rounds is reported.
 */
public final class PrefixPersistBenchmark {
    private static final String TEXT = "The old lighthouse keeper climbed the stairs every evening to light the lamp. "
            + "Ships passed in the dark, and sailors told stories of the light that never failed. One winter night a "
            + "storm broke the windows and the wind blew out the flame, but the keeper carried a lantern to the top "
            + "and held it up until morning. ";
    private static final int QUESTION_TOKENS = 8;

    public record Config(Path model, int threads, int systemPromptTokens, int rounds, KvCacheType kvCacheType,
            int maxBatchTokens) {}

    /** Medians over the rounds, in milliseconds, and what the restarted engine found on disk. */
    public record Result(Config config, String modelName, double coldTtftMillis, double restartTtftMillis,
            double inMemoryTtftMillis, double openMillis, double closeMillis, long diskBytes, long blocksLoaded,
            int cachedPromptTokens) {
        /** How many times faster the restarted engine's first token is than a cold one. */
        public double speedup() {
            return coldTtftMillis / restartTtftMillis;
        }
    }

    private PrefixPersistBenchmark() {}

    public static Result run(Config c, Path workDir) throws IOException, InterruptedException {
        int context = c.systemPromptTokens() + QUESTION_TOKENS + 16;
        EngineOptions base = new EngineOptions(c.threads(), 2, c.maxBatchTokens(), context)
                .withKvCacheType(c.kvCacheType());
        double[] cold = new double[c.rounds()];
        double[] restart = new double[c.rounds()];
        double[] inMemory = new double[c.rounds()];
        double[] open = new double[c.rounds()];
        double[] close = new double[c.rounds()];
        String name = "";
        long diskBytes = 0;
        long loaded = 0;
        int cached = 0;
        for (int round = 0; round < c.rounds(); round++) {
            Path dir = workDir.resolve("round-" + round);
            EngineOptions options = base.withKvCacheDisk(new KvCacheDisk(dir));
            int[][] prompts;
            LocalEngine first = LocalEngine.open(c.model(), options, Tokenizers::fromGguf);
            try {
                name = first.modelInfo().name();
                prompts = prompts(first.tokenizer(), c.systemPromptTokens(), round);
                cold[round] = ttftMillis(first, prompts[0]).ttftMillis();
                inMemory[round] = ttftMillis(first, prompts[1]).ttftMillis();
            } finally {
                long t0 = System.nanoTime();
                first.close();
                close[round] = (System.nanoTime() - t0) / 1e6;
            }
            long t0 = System.nanoTime();
            try (LocalEngine second = LocalEngine.open(c.model(), options, Tokenizers::fromGguf)) {
                open[round] = (System.nanoTime() - t0) / 1e6;
                diskBytes = second.kvDiskBytes();
                Answer a = ttftMillis(second, prompts[2]);
                restart[round] = a.ttftMillis();
                cached = a.cachedPromptTokens();
                loaded = second.kvDiskLoads();
            }
            deleteTree(dir);
        }
        return new Result(c, name, median(cold), median(restart), median(inMemory), median(open), median(close),
                diskBytes, loaded, cached);
    }

    /** The system prompt followed by three different questions; the system prompt differs per round. */
    private static int[][] prompts(Tokenizer tok, int systemTokens, int round) {
        int[] text = tok.encode(TEXT.repeat(2 + systemTokens / 40), false, false);
        int[][] prompts = new int[3][];
        for (int q = 0; q < 3; q++) {
            int[] p = Arrays.copyOf(text, systemTokens + QUESTION_TOKENS);
            p[0] = tok.encode(" round " + round, false, false)[0];
            p[1] = tok.encode(" " + round, false, false)[0];
            for (int k = 0; k < QUESTION_TOKENS; k++) {
                p[systemTokens + k] = text[(q * 13 + k * 7 + 3) % systemTokens];
            }
            prompts[q] = p;
        }
        return prompts;
    }

    private record Answer(double ttftMillis, int cachedPromptTokens) {}

    private static Answer ttftMillis(LocalEngine engine, int[] prompt) throws InterruptedException {
        TokenStream s = engine.submit(new GenerationRequest("q", prompt, SamplingParams.GREEDY, 2, List.of(), true, 0,
                -1));
        while (true) {
            switch (s.next()) {
                case GenerationEvent.Token t -> { }
                case GenerationEvent.Finished f -> {
                    return new Answer(f.timings().timeToFirstTokenNanos() / 1e6, f.usage().cachedPromptTokens());
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
