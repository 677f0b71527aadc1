package dev.strata.engine.tokenizer;

import java.util.Arrays;

/**
 * Piece string to token id, with lookups by a range of a {@link CharSequence} so that the merge
 * loops never build substrings. Open addressing with linear probing; hashes are
 * {@link String#hashCode()}'s, so stored keys reuse their cached hash.
 */
final class PieceMap {
    private final String[] keys;
    private final int[] values;
    private final int mask;

    PieceMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedSize) * 2 - 1) << 1;
        keys = new String[capacity];
        values = new int[capacity];
        Arrays.fill(values, -1);
        mask = capacity - 1;
    }

    /** Maps {@code key} to {@code id}, replacing an earlier id (llama.cpp's map assignment: the last duplicate wins). */
    void put(String key, int id) {
        int slot = mix(key.hashCode()) & mask;
        while (keys[slot] != null && !keys[slot].equals(key)) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = id;
    }

    /** The id of {@code key}, or -1. */
    int get(String key) {
        return get(key, 0, key.length());
    }

    /** The id of {@code text[start, end)}, or -1. */
    int get(CharSequence text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        int slot = mix(h) & mask;
        int length = end - start;
        for (String key = keys[slot]; key != null; key = keys[slot]) {
            if (key.length() == length && regionEquals(key, text, start)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static boolean regionEquals(String key, CharSequence text, int start) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != text.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16) * 0x85EBCA6B;
    }
}
