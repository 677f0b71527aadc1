package dev.strata.bench.speed;

import dev.strata.bench.peer.LlamaCppPeer;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufTensorInfo;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code ./strata bench engine}: Strata and llama.cpp on the same file, threads, prompt and count,
 * alternating run by run (after one warm-up run each) so that both see the same machine state.
 */
public final class EngineBenchmark {
    /** What to run. {@code peer} false runs Strata alone. */
    public record Config(Path model, int threads, int promptTokens, int genTokens, int repetitions, boolean peer) {
        public Config {
            Objects.requireNonNull(model, "model");
            if (threads < 1 || promptTokens < 1 || genTokens < 2 || repetitions < 1) {
                throw new IllegalArgumentException("threads, promptTokens, repetitions must be >= 1 and genTokens >= 2");
            }
        }
    }

    /** Throughputs of one engine over the repetitions. */
    public record EngineStats(Stats prefillTokensPerSecond, Stats decodeTokensPerSecond) {}

    /**
     * The figures of a run.
     *
     * @param weightBytesPerToken bytes of weights a decode step reads (all tensors; the embedding only when it is also the output)
     */
    public record Result(Config config, String modelName, long weightBytesPerToken, EngineStats strata,
                         Optional<EngineStats> peer, String peerName) {
        public Optional<Double> prefillRatio() {
            return peer.map(p -> strata.prefillTokensPerSecond().median() / p.prefillTokensPerSecond().median());
        }

        public Optional<Double> decodeRatio() {
            return peer.map(p -> strata.decodeTokensPerSecond().median() / p.decodeTokensPerSecond().median());
        }
    }

    private EngineBenchmark() {
    }

    public static Result run(Config config) {
        String name;
        long weightBytes;
        int vocab;
        try (GgufFile gguf = GgufFile.open(config.model())) {
            name = gguf.getString("general.name").orElse(config.model().getFileName().toString());
            weightBytes = weightBytesPerToken(gguf);
            vocab = gguf.getArray("tokenizer.ggml.tokens").map(a -> a.length()).orElse(32000);
        }
        int[] prompt = prompt(config.promptTokens(), vocab);
        int context = config.promptTokens() + config.genTokens() + 8;
        int batch = Math.min(512, config.promptTokens());
        double[] sPrefill = new double[config.repetitions()];
        double[] sDecode = new double[config.repetitions()];
        double[] pPrefill = new double[config.repetitions()];
        double[] pDecode = new double[config.repetitions()];
        try (StrataRunner strata = new StrataRunner(config.model(), config.threads(), context, batch);
             LlamaCppPeer peer = config.peer()
                     ? LlamaCppPeer.open(config.model(), LlamaCppPeer.Options.forBench(config.threads(), context))
                     : null) {
            strata.run(prompt, config.genTokens()); // warm-up: JIT, page cache
            if (peer != null) {
                peer.generate(prompt, config.genTokens(), 0);
            }
            for (int r = 0; r < config.repetitions(); r++) {
                boolean strataFirst = r % 2 == 0;
                if (peer != null && !strataFirst) {
                    record(peerRun(peer, prompt, config.genTokens()), pPrefill, pDecode, r);
                }
                record(strata.run(prompt, config.genTokens()), sPrefill, sDecode, r);
                if (peer != null && strataFirst) {
                    record(peerRun(peer, prompt, config.genTokens()), pPrefill, pDecode, r);
                }
            }
        }
        EngineStats strataStats = new EngineStats(Stats.of(sPrefill), Stats.of(sDecode));
        Optional<EngineStats> peerStats = config.peer()
                ? Optional.of(new EngineStats(Stats.of(pPrefill), Stats.of(pDecode))) : Optional.empty();
        return new Result(config, name, weightBytes, strataStats, peerStats, LlamaCppPeer.describe());
    }

    private static RunTiming peerRun(LlamaCppPeer peer, int[] prompt, int genTokens) {
        var run = peer.generate(prompt, genTokens, 0);
        return new RunTiming(prompt.length, run.prefillNanos(), genTokens - 1, run.decodeNanos());
    }

    private static void record(RunTiming t, double[] prefill, double[] decode, int r) {
        prefill[r] = t.prefillTokensPerSecond();
        decode[r] = t.decodeTokensPerSecond();
    }

    /** BOS-less pseudo-random ids below 32000 (ordinary tokens in every vocabulary we generate), fixed seed. */
    static int[] prompt(int length, int vocab) {
        SplittableRandom random = new SplittableRandom(12345);
        int bound = Math.min(vocab, 32000);
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = 100 + random.nextInt(bound - 100);
        }
        return tokens;
    }

    /** Every tensor is read once per decode step, except an input-only embedding (only its rows are gathered). */
    static long weightBytesPerToken(GgufFile gguf) {
        boolean untied = gguf.tensor("output.weight").isPresent();
        long bytes = 0;
        for (GgufTensorInfo t : gguf.tensors()) {
            if (!(untied && t.name().equals("token_embd.weight"))) {
                bytes += t.sizeBytes();
            }
        }
        return bytes;
    }
}
