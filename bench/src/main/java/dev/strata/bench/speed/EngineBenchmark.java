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
     * Resident memory an engine added to the process ({@link ResidentMemory}), -1 where unknown.
     * {@code afterLoadBytes}: right after opening the model, before any request. {@code afterRunBytes}:
     * after all repetitions (the peer's is what closing it gave back; Strata's what remained then).
     */
    public record MemoryUse(long afterLoadBytes, long afterRunBytes) {}

    /**
     * The figures of a run.
     *
     * @param weightBytesPerToken bytes of weights a decode step reads (all tensors; the embedding only when it is also the output)
     */
    public record Result(Config config, String modelName, long weightBytesPerToken, EngineStats strata,
                         Optional<EngineStats> peer, String peerName, long fileBytes, MemoryUse strataMemory,
                         Optional<MemoryUse> peerMemory) {
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
        long base = ResidentMemory.bytes();
        StrataRunner strata = new StrataRunner(config.model(), config.threads(), context, batch);
        long strataLoaded = ResidentMemory.bytes() - base;
        LlamaCppPeer peer = null;
        long peerLoaded = -1;
        long peerAfterRun = -1;
        long strataAfterRun;
        try {
            if (config.peer()) {
                peer = LlamaCppPeer.open(config.model(), LlamaCppPeer.Options.forBench(config.threads(), context));
                peerLoaded = ResidentMemory.bytes() - base - strataLoaded;
            }
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
            if (strata.prefixHits() > 0) {
                throw new IllegalStateException("the prefix cache served " + strata.prefixHits()
                        + " prompt tokens: the prefill figures would not be computed prompts");
            }
            long bothAfterRun = ResidentMemory.bytes() - base;
            if (peer != null) {
                peer.close();
                peer = null;
            }
            strataAfterRun = ResidentMemory.bytes() - base;
            if (config.peer()) {
                peerAfterRun = bothAfterRun - strataAfterRun;
            }
        } finally {
            if (peer != null) {
                peer.close();
            }
            strata.close();
        }
        if (base < 0) {
            strataLoaded = -1;
            strataAfterRun = -1;
            peerLoaded = -1;
            peerAfterRun = -1;
        }
        EngineStats strataStats = new EngineStats(Stats.of(sPrefill), Stats.of(sDecode));
        Optional<EngineStats> peerStats = config.peer()
                ? Optional.of(new EngineStats(Stats.of(pPrefill), Stats.of(pDecode))) : Optional.empty();
        long fileBytes;
        try {
            fileBytes = java.nio.file.Files.size(config.model());
        } catch (java.io.IOException e) {
            fileBytes = -1;
        }
        return new Result(config, name, weightBytes, strataStats, peerStats, LlamaCppPeer.describe(), fileBytes,
                new MemoryUse(strataLoaded, strataAfterRun),
                config.peer() ? Optional.of(new MemoryUse(peerLoaded, peerAfterRun)) : Optional.empty());
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
