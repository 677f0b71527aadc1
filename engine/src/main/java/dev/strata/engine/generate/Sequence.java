package dev.strata.engine.generate;

import dev.strata.engine.sample.Sampler;
import dev.strata.engine.sched.ScheduledSequence;
import dev.strata.engine.tokenizer.TokenDecoder;

/**
 * The engine loop's state of one request: what the scheduler tracks (tokens, progress, KV cache)
 * plus its sampler, output text and stream. Touched only by the loop thread (and created by the
 * submitting thread before it is queued).
 */
final class Sequence extends ScheduledSequence {
    final GenerationRequest request;
    final QueueTokenStream stream;
    final Sampler sampler;
    final long submitNanos;
    long startNanos;
    long firstTokenNanos;
    /** When each generated token was published, nanoseconds after {@link #submitNanos}; grows by doubling. */
    long[] tokenNanos = new long[16];
    TokenDecoder decoder;
    OutputText outputText;
    int generated;
    /** Row of this sequence's logits in the current step's output, or -1. */
    int logitsRow = -1;

    /** @param maxTotalTokens prompt plus output tokens this sequence may hold (at most the context) */
    Sequence(GenerationRequest request, int maxTotalTokens, QueueTokenStream stream, Sampler sampler, long submitNanos) {
        super(request.promptTokens(), maxTotalTokens, request.priority());
        this.request = request;
        this.stream = stream;
        this.sampler = sampler;
        this.submitNanos = submitNanos;
    }

    /** Notes that generated token number {@link #generated} was published at {@code nowNanos}. */
    void recordTokenTime(long nowNanos) {
        if (generated > tokenNanos.length) {
            tokenNanos = java.util.Arrays.copyOf(tokenNanos, Math.max(generated, tokenNanos.length * 2));
        }
        tokenNanos[generated - 1] = nowNanos - submitNanos;
    }

    /** The recorded token times, in order. */
    java.util.List<Long> tokenTimes() {
        java.util.List<Long> times = new java.util.ArrayList<>(generated);
        for (int i = 0; i < Math.min(generated, tokenNanos.length); i++) {
            times.add(tokenNanos[i]);
        }
        return times;
    }
}
