package dev.strata.engine.tokenizer;

import java.util.Arrays;

/** A growable list of token ids without boxing; the output buffer of one {@code encode} call. */
final class TokenIds {
    private int[] ids;
    private int size;

    TokenIds(int initialCapacity) {
        ids = new int[Math.max(4, initialCapacity)];
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[size++] = id;
    }

    int size() {
        return size;
    }

    int get(int index) {
        return ids[index];
    }

    /** Drops every id after the first {@code newSize}. */
    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
