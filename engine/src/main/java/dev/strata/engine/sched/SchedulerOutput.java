package dev.strata.engine.sched;

import java.util.List;

/**
 * What one step computes: plain data the engine turns into a forward batch.
 *
 * @param chunks      per running sequence, the tokens to compute this step, in batch order
 * @param preempted   sequences whose memory was freed this step (requeued, recomputed later)
 * @param numTokens   tokens in all chunks
 */
public record SchedulerOutput<S extends ScheduledSequence>(List<Chunk<S>> chunks, List<S> preempted, int numTokens) {
    public SchedulerOutput {
        chunks = List.copyOf(chunks);
        preempted = List.copyOf(preempted);
    }

    public boolean isEmpty() {
        return chunks.isEmpty();
    }

    /**
     * Tokens {@code [start, start + numTokens)} of {@code sequence}; when {@code sampleAfter}, they
     * end at the sequence's last token, so the step yields logits for its next token.
     */
    public record Chunk<S extends ScheduledSequence>(S sequence, int start, int numTokens, boolean sampleAfter) {
        public Chunk {
            if (start < 0 || numTokens < 1) {
                throw new IllegalArgumentException("start must be >= 0 and numTokens >= 1, got " + start + ", " + numTokens);
            }
        }
    }
}
