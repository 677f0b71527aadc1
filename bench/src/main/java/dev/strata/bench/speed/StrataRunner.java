package dev.strata.bench.speed;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.List;

/**
 * Strata through its product path, {@link LocalEngine}: one greedy request that ignores EOS. Prefill
 * is submit to first token; decode is first to last token, as a client sees them.
 *
 * <p>Each run's prompt is the given one rotated by the run's number ({@link #promptOfRun}): the same
 * ids and length, so the same work, but a different first token, so the engine's prefix cache (full
 * KV blocks keyed by all tokens before them) never serves a repetition from the previous one. The
 * peer clears its KV cache before each run, so both engines compute every prompt token.
 */
final class StrataRunner implements AutoCloseable {
    private final LocalEngine engine;
    private int requests;

    StrataRunner(Path model, int threads, int contextLength, int batchTokens) {
        engine = LocalEngine.open(model, new EngineOptions(threads, 1, batchTokens, contextLength), Tokenizers::fromGguf);
    }

    RunTiming run(int[] prompt, int genTokens) {
        int run = requests++;
        GenerationRequest request = new GenerationRequest("bench-" + run, promptOfRun(prompt, run),
                SamplingParams.GREEDY, genTokens, List.of(), true, 0, -1);
        long start = System.nanoTime();
        TokenStream stream = engine.submit(request);
        long first = 0;
        long last = 0;
        int tokens = 0;
        try {
            while (true) {
                GenerationEvent event = stream.next();
                long now = System.nanoTime();
                if (event instanceof GenerationEvent.Token) {
                    if (tokens++ == 0) {
                        first = now;
                    }
                    last = now;
                } else if (event instanceof GenerationEvent.Failed failed) {
                    throw failed.error();
                } else {
                    break;
                }
            }
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (tokens != genTokens) {
            throw new IllegalStateException("Strata generated " + tokens + " tokens, expected " + genTokens);
        }
        return new RunTiming(prompt.length, first - start, tokens - 1, last - first);
    }

    /** {@code prompt} rotated left by {@code run} positions (modulo its length). */
    static int[] promptOfRun(int[] prompt, int run) {
        int n = prompt.length;
        int[] rotated = new int[n];
        for (int i = 0; i < n; i++) {
            rotated[i] = prompt[(i + run) % n];
        }
        return rotated;
    }

    /** Prompt tokens the engine's prefix cache has served so far (0 when every run computed its prompt). */
    long prefixHits() {
        return engine.stats().prefixCacheHits();
    }

    @Override
    public void close() {
        engine.close();
    }
}
