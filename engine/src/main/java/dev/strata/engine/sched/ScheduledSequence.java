package dev.strata.engine.sched;

import dev.strata.engine.kv.PagedKvCache;
import java.util.Arrays;

/**
 * What the scheduler knows of one sequence: its tokens (prompt plus generated), how many of them
 * are computed (their K/V rows written), its priority and its KV cache. The engine extends it with
 * sampling and output state. Touched only by the engine loop thread.
 *
 * <p>Progress is one number: {@link #numComputedTokens()} catches up with {@link #numTokens()}. A
 * step that computes the last token yields logits, the engine samples and {@link #appendToken appends}
 * one more; preemption sets computed back to 0 (recompute), a prefix hit moves it forward.
 */
public class ScheduledSequence {
    private final int priority;
    private final int numPromptTokens;
    private final int maxTokens;
    private int[] tokens;
    private int numTokens;
    int numComputedTokens;
    long arrival = -1;
    Status status = Status.NEW;
    PagedKvCache cache;
    int numCachedPromptTokens;
    int numPreemptions;

    /** Where a sequence is. */
    public enum Status { NEW, WAITING, RUNNING, FINISHED }

    /**
     * @param maxTokens tokens this sequence may ever hold (prompt plus output, at most the context);
     *                  the scheduler refuses one whose maximum could never fit the pool
     */
    protected ScheduledSequence(int[] promptTokens, int maxTokens, int priority) {
        if (promptTokens.length == 0 || maxTokens < promptTokens.length) {
            throw new IllegalArgumentException("need 1 <= prompt length <= maxTokens, got " + promptTokens.length
                    + " and " + maxTokens);
        }
        this.priority = priority;
        this.numPromptTokens = promptTokens.length;
        this.maxTokens = maxTokens;
        this.tokens = Arrays.copyOf(promptTokens, Math.min(maxTokens, promptTokens.length + 16));
        this.numTokens = promptTokens.length;
    }

    /** Adds a sampled token; it is computed by a later step. */
    public final void appendToken(int token) {
        if (numTokens == maxTokens) {
            throw new IllegalStateException("sequence already holds its maximum of " + maxTokens + " tokens");
        }
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.min(maxTokens, tokens.length * 2));
        }
        tokens[numTokens++] = token;
    }

    /** Token {@code i} (prompt first, then output). */
    public final int token(int i) {
        return tokens[i];
    }

    /** The token array (only the first {@link #numTokens()} are meaningful); not a copy. */
    final int[] tokenArray() {
        return tokens;
    }

    public final int numTokens() {
        return numTokens;
    }

    public final int numPromptTokens() {
        return numPromptTokens;
    }

    public final int maxTokens() {
        return maxTokens;
    }

    public final int numComputedTokens() {
        return numComputedTokens;
    }

    public final int priority() {
        return priority;
    }

    public final Status status() {
        return status;
    }

    /** The KV cache while the sequence holds memory (running), else null. */
    public final PagedKvCache cache() {
        return cache;
    }

    /** Prompt tokens found in the prefix cache when the sequence first started. */
    public final int numCachedPromptTokens() {
        return numCachedPromptTokens;
    }

    /** Times this sequence was preempted (its memory freed, to be recomputed). */
    public final int numPreemptions() {
        return numPreemptions;
    }
}
