package dev.strata.engine.tokenizer;

import java.util.Arrays;

/**
 * Candidate merges of adjacent symbols, best first: a binary min-heap on a {@code long} priority
 * whose low 32 bits are the left symbol's index, so that ties go to the leftmost pair as in
 * llama.cpp's comparators. Each entry also carries the right symbol and the merged length, which
 * tell a stale entry (one of its symbols has changed since) from a live one. Reused across calls
 * with {@link #clear()}; no allocation once grown.
 */
final class BigramQueue {
    private long[] keys = new long[64];
    private int[] rights = new int[64];
    private int[] sizes = new int[64];
    private int count;

    // the entry popped last
    private int left;
    private int right;
    private int size;

    /** Priority for a higher-is-better float score (SentencePiece): larger scores pop first. */
    static long byScore(float score, int left) {
        int bits = Float.floatToIntBits(score + 0.0f); // +0.0f folds -0.0 into 0.0
        int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ~ascending << 32) | left;
    }

    /** Priority for a lower-is-better merge rank (BPE): smaller ranks pop first. */
    static long byRank(int rank, int left) {
        return ((long) rank << 32) | left;
    }

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    void push(long key, int right, int size) {
        if (count == keys.length) {
            int capacity = count * 2;
            keys = Arrays.copyOf(keys, capacity);
            rights = Arrays.copyOf(rights, capacity);
            sizes = Arrays.copyOf(sizes, capacity);
        }
        int i = count++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        keys[i] = key;
        rights[i] = right;
        sizes[i] = size;
    }

    /** Removes the best entry; read it with {@link #left()}, {@link #right()}, {@link #size()}. */
    void pop() {
        left = (int) keys[0];
        right = rights[0];
        size = sizes[0];
        count--;
        if (count == 0) {
            return;
        }
        long key = keys[count];
        int r = rights[count];
        int s = sizes[count];
        int i = 0;
        int half = count >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < count && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            move(child, i);
            i = child;
        }
        keys[i] = key;
        rights[i] = r;
        sizes[i] = s;
    }

    int left() {
        return left;
    }

    int right() {
        return right;
    }

    int size() {
        return size;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        rights[to] = rights[from];
        sizes[to] = sizes[from];
    }
}
