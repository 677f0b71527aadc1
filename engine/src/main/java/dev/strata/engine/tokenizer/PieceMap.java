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
    /** Full hash of each key, compared before the characters. */
    private final int[] hashes;
    private final int mask;

    PieceMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedSize) * 2 - 1) << 1;
        keys = new String[capacity];
        values = new int[capacity];
        hashes = new int[capacity];
        Arrays.fill(values, -1);
        mask = capacity - 1;
    }

    /** Maps {@code key} to {@code id}, replacing an earlier id (llama.cpp's map assignment: the last duplicate wins). */
    void put(String key, int id) {
        int h = mix(key.hashCode());
        int slot = h & mask;
        while (keys[slot] != null && !keys[slot].equals(key)) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = id;
        hashes[slot] = h;
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
        h = mix(h);
        int slot = h & mask;
        int length = end - start;
        for (String key = keys[slot]; key != null; key = keys[slot]) {
            if (hashes[slot] == h && key.length() == length && regionEquals(key, text, start)) {
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

    /** MurmurHash3's finaliser: spreads String's weak hash over all bits before masking. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
