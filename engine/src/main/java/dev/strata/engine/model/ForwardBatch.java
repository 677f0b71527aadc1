package dev.strata.engine.model;

import dev.strata.engine.kv.KvCache;
import java.util.Arrays;

/**
 * The tokens of one forward pass: any mix of prompt chunks and decode tokens of several sequences,
 * each with its position and its sequence's {@link KvCache}. Tokens of one sequence must be added in
 * position order, and every earlier position of that sequence must already be in its cache or
 * earlier in this batch. Reused step after step ({@link #clear}); allocated once.
 */
public final class ForwardBatch {
    private final int[] tokens;
    private final int[] positions;
    private final KvCache[] caches;
    private final int[] logitTokens;
    private int size;
    private int numLogits;

    public ForwardBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        tokens = new int[capacity];
        positions = new int[capacity];
        caches = new KvCache[capacity];
        logitTokens = new int[capacity];
    }

    public int capacity() {
        return tokens.length;
    }

    /** Tokens added since the last {@link #clear}. */
    public int size() {
        return size;
    }

    /** Tokens whose next-token logits were asked for. */
    public int numLogits() {
        return numLogits;
    }

    public void clear() {
        Arrays.fill(caches, 0, size, null);
        size = 0;
        numLogits = 0;
    }

    /** Adds {@code token} at {@code position} of the sequence whose cache is {@code cache}. */
    public void add(int token, int position, KvCache cache) {
        if (size == tokens.length) {
            throw new IllegalStateException("batch is full (" + size + " tokens)");
        }
        if (position < 0 || position >= cache.capacity()) {
            throw new IllegalArgumentException("position " + position + " outside KV cache capacity " + cache.capacity());
        }
        tokens[size] = token;
        positions[size] = position;
        caches[size] = cache;
        size++;
    }

    /**
     * Asks for the logits after the token added last; returns their row in the array
     * {@link Model#forward} returns (rows are {@code vocabSize} floats, in the order asked).
     */
    public int requestLogits() {
        if (size == 0) {
            throw new IllegalStateException("no token to request logits for");
        }
        if (numLogits > 0 && logitTokens[numLogits - 1] == size - 1) {
            return numLogits - 1;
        }
        logitTokens[numLogits] = size - 1;
        return numLogits++;
    }

    int token(int i) {
        return tokens[i];
    }

    int position(int i) {
        return positions[i];
    }

    KvCache cache(int i) {
        return caches[i];
    }

    /** Index in this batch of the token whose logits go to row {@code row}. */
    int logitToken(int row) {
        return logitTokens[row];
    }
}
