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
 */
final class StrataRunner implements AutoCloseable {
    private final LocalEngine engine;
    private int requests;

    StrataRunner(Path model, int threads, int contextLength, int batchTokens) {
        engine = LocalEngine.open(model, new EngineOptions(threads, 1, batchTokens, contextLength), Tokenizers::fromGguf);
    }

    RunTiming run(int[] prompt, int genTokens) {
        GenerationRequest request = new GenerationRequest("bench-" + requests++, prompt, SamplingParams.GREEDY,
                genTokens, List.of(), true, 0, -1);
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

    @Override
    public void close() {
        engine.close();
    }
}
