package dev.strata.engine.generate;

import dev.strata.engine.kv.KvCache;
import dev.strata.engine.sample.Sampler;
import dev.strata.engine.tokenizer.TokenDecoder;

/**
 * The engine loop's state of one request: its prompt progress, KV cache, sampler and output text.
 * Touched only by the loop thread (and created by the submitting thread before it is queued).
 */
final class Sequence {
    final GenerationRequest request;
    final int[] prompt;
    final QueueTokenStream stream;
    final Sampler sampler;
    final long submitNanos;
    long startNanos;
    long firstTokenNanos;
    KvCache cache;
    TokenDecoder decoder;
    OutputText outputText;
    /** Prompt tokens already in the cache (or in the current batch). */
    int promptFed;
    /** Tokens in the cache: the position the next fed token takes. */
    int position;
    /** The last sampled token, to be fed at {@link #position} in the next step. */
    int pendingToken = -1;
    int generated;
    /** Row of this sequence's logits in the current step's output, or -1. */
    int logitsRow = -1;

    Sequence(GenerationRequest request, QueueTokenStream stream, Sampler sampler, long submitNanos) {
        this.request = request;
        this.prompt = request.promptTokens();
        this.stream = stream;
        this.sampler = sampler;
        this.submitNanos = submitNanos;
    }

    boolean isPrefilling() {
        return promptFed < prompt.length;
    }
}
