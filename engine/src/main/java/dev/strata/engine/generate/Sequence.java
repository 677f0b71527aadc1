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
}
