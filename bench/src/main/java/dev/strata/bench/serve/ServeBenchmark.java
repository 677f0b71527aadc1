package dev.strata.bench.serve;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Concurrent serving load on Strata's {@link LocalEngine} and, in the same run, on llama.cpp's
 * server loop through {@code de.kherud:llama} ({@link LlamaModel} runs llama.cpp's
 * {@code server_context}: {@code setParallel(n)} slots, continuous batching, one task queue;
 * {@code generate} streams one output per token). Both get the same prompt text, greedy decoding
 * with EOS ignored, the same threads; llama.cpp gets as many slots as clients at each level.
 */
public final class ServeBenchmark {
    private static final String TEXT = "The old lighthouse keeper climbed the stairs every evening to light the lamp. "
            + "Ships passed in the dark, and sailors told stories of the light that never failed. One winter night a "
            + "storm broke the windows and the wind blew out the flame, but the keeper carried a lantern to the top "
            + "and held it up until morning. ";

    public record Config(Path model, int threads, int[] concurrency, int promptTokens, int genTokens,
            int requestsPerClient, boolean withPeer, int systemPromptTokens, int maxBatchTokens) {}

    /** Per level: Strata's result and the peer's, when run. */
    public record Level(LoadResult strata, Optional<LoadResult> peer) {
        public Optional<Double> throughputRatio() {
            return peer.map(p -> strata.tokensPerSecond() / p.tokensPerSecond());
        }

        public Optional<Double> ttftP99Ratio() {
            return peer.map(p -> strata.ttftP99() / p.ttftP99());
        }
    }

    /** TTFT of the first request with a shared system prompt (cold) and of the later ones (warm). */
    public record PrefixResult(int systemPromptTokens, double coldTtftMillis, double warmTtftMillisMedian,
            long cachedPromptTokens) {
        public double speedup() {
            return coldTtftMillis / warmTtftMillisMedian;
        }
    }

    public record Result(Config config, String modelName, List<Level> levels, PrefixResult prefix) {}

    /** Token id of prompt 0's first token in a large vocabulary; prompt {@code i} starts with this + i. */
    static final int FIRST_PROMPT_TOKEN = 1000;

    private ServeBenchmark() {}

    public static Result run(Config c) throws Exception {
        int maxConcurrency = Arrays.stream(c.concurrency()).max().orElse(1);
        int context = Math.max(c.promptTokens() + c.genTokens(), c.systemPromptTokens() + 64) + 64;
        EngineOptions options = new EngineOptions(c.threads(), Math.max(16, maxConcurrency),
                Math.max(c.maxBatchTokens(), Math.max(16, maxConcurrency)), context);
        List<LoadResult> strata = new ArrayList<>();
        PrefixResult prefix;
        String name;
        List<List<String>> peerPrompts = new ArrayList<>();
        try (LocalEngine engine = LocalEngine.open(c.model(), options, Tokenizers::fromGguf)) {
            name = engine.modelInfo().name();
            Tokenizer tok = engine.tokenizer();
            int[] base = baseText(tok, c.systemPromptTokens());
            List<List<int[]>> prompts = promptsPerLevel(tok, c);
            for (List<int[]> level : prompts) {
                peerPrompts.add(level.stream().map(p -> text(tok, p)).toList());
            }
            drain(engine.submit(request("warm-up", prompts.getLast().getFirst(), 16)), System.nanoTime());
            for (int k = 0; k < c.concurrency().length; k++) {
                List<int[]> level = prompts.get(k);
                strata.add(ServeLoad.run(c.concurrency()[k], c.requestsPerClient(), i -> {
                    long t0 = System.nanoTime();
                    return drain(engine.submit(request("r" + i, level.get(i), c.genTokens())), t0);
                }));
            }
            prefix = prefix(engine, base, c.systemPromptTokens());
        }
        List<Level> levels = new ArrayList<>();
        for (int k = 0; k < c.concurrency().length; k++) {
            Optional<LoadResult> peer = c.withPeer()
                    ? Optional.of(peerLevel(c, c.concurrency()[k], peerPrompts.get(k), peerPrompts.getLast().getFirst()))
                    : Optional.empty();
            levels.add(new Level(strata.get(k), peer));
        }
        return new Result(c, name, levels, prefix);
    }

    /** The benchmark's text as tokens, long enough for the shared system prompt. */
    private static int[] baseText(Tokenizer tok, int systemPromptTokens) {
        return tok.encode(TEXT.repeat(1 + systemPromptTokens / 40), false, false);
    }

    /**
     * {@code total} prompts of {@code promptTokens} tokens each, no two sharing a first token (so no
     * two share a cached block): prompt {@code i} starts with token id {@code first + i}, where
     * {@code first} is {@value #FIRST_PROMPT_TOKEN} (an ordinary token in the vocabularies of the
     * benchmark shapes) or lower for a small vocabulary, then a slice of the text.
     */
    static List<int[]> prompts(Tokenizer tok, int total, int promptTokens, int systemPromptTokens) {
        int[] base = baseText(tok, systemPromptTokens);
        int first = Math.min(FIRST_PROMPT_TOKEN, tok.vocabSize() - total);
        if (first < 0) {
            throw new IllegalArgumentException("the vocabulary (" + tok.vocabSize() + " tokens) is too small for "
                    + total + " prompts with distinct first tokens");
        }
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            int[] p = Arrays.copyOfRange(base, i % 50, i % 50 + promptTokens);
            p[0] = first + i;
            prompts.add(p);
        }
        return prompts;
    }

    /**
     * Prompts for every level and the warm-up: level {@code k} gets its own
     * {@code concurrency[k] × requestsPerClient} prompts (so no level finds another's prompts in the
     * prefix cache, which llama.cpp's slots, with prompt caching off, could not), the warm-up the last one.
     */
    static List<List<int[]>> promptsPerLevel(Tokenizer tok, Config c) {
        int total = Arrays.stream(c.concurrency()).map(n -> n * c.requestsPerClient()).sum() + 1;
        List<int[]> all = prompts(tok, total, c.promptTokens(), c.systemPromptTokens());
        List<List<int[]>> levels = new ArrayList<>();
        int from = 0;
        for (int n : c.concurrency()) {
            levels.add(all.subList(from, from + n * c.requestsPerClient()));
            from += n * c.requestsPerClient();
        }
        levels.add(List.of(all.getLast()));
        return levels;
    }

    private static GenerationRequest request(String id, int[] prompt, int genTokens) {
        return new GenerationRequest(id, prompt, SamplingParams.GREEDY, genTokens, List.of(), true, 0, -1);
    }

    private static LoadResult.RequestTiming drain(TokenStream stream, long submitNanos) throws InterruptedException {
        long[] at = new long[64];
        int n = 0;
        while (true) {
            GenerationEvent e = stream.next();
            switch (e) {
                case GenerationEvent.Token t -> {
                    if (n == at.length) {
                        at = Arrays.copyOf(at, n * 2);
                    }
                    at[n++] = System.nanoTime();
                }
                case GenerationEvent.Finished f -> {
                    return new LoadResult.RequestTiming(submitNanos, Arrays.copyOf(at, n));
                }
                case GenerationEvent.Failed f -> throw f.error();
            }
        }
    }

    /** Five requests sharing a system prompt, one at a time: the first computes it, the rest hit the cache. */
    private static PrefixResult prefix(LocalEngine engine, int[] base, int systemTokens) throws InterruptedException {
        int[] system = Arrays.copyOfRange(base, 0, systemTokens);
        double cold = 0;
        double[] warm = new double[4];
        long cached = 0;
        for (int i = 0; i < 5; i++) {
            int[] prompt = Arrays.copyOf(system, systemTokens + 8);
            for (int k = 0; k < 8; k++) {
                prompt[systemTokens + k] = base[(i * 8 + k) % base.length];
            }
            prompt[systemTokens] = base[(100 + i) % base.length];
            long t0 = System.nanoTime();
            TokenStream s = engine.submit(request("prefix" + i, prompt, 4));
            LoadResult.RequestTiming t = drain(s, t0);
            double ttft = (t.tokenNanos()[0] - t0) / 1e6;
            if (i == 0) {
                cold = ttft;
            } else {
                warm[i - 1] = ttft;
            }
        }
        cached = engine.stats().prefixCacheHits();
        Arrays.sort(warm);
        return new PrefixResult(systemTokens, cold, (warm[1] + warm[2]) / 2, cached);
    }

    private static String text(Tokenizer tok, int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tok.tokenBytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** llama.cpp's server loop with {@code n} slots, loaded for this level. */
    private static LoadResult peerLevel(Config c, int n, List<String> prompts, String warmUp) throws Exception {
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {});
        ModelParameters params = new ModelParameters().setModel(c.model().toString()).setThreads(c.threads())
                .setThreadsBatch(c.threads()).setParallel(n).setCtxSize(n * (c.promptTokens() + c.genTokens() + 64))
                .enableContBatching();
        try (LlamaModel model = new LlamaModel(params)) {
            peerRequest(model, warmUp, 16, System.nanoTime());
            return ServeLoad.run(n, c.requestsPerClient(), i -> peerRequest(model, prompts.get(i), c.genTokens(),
                    System.nanoTime()));
        }
    }

    private static LoadResult.RequestTiming peerRequest(LlamaModel model, String prompt, int genTokens, long t0) {
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(genTokens).setIgnoreEos(true)
                .setTemperature(0).setCachePrompt(false);
        long[] at = new long[genTokens + 1];
        int k = 0;
        for (LlamaOutput ignored : model.generate(p)) {
            if (k < at.length) {
                at[k++] = System.nanoTime();
            }
        }
        return new LoadResult.RequestTiming(t0, Arrays.copyOf(at, k));
    }
}
