package dev.strata.engine.tokenizer;

import java.util.Arrays;

/**
 * Byte string to int, looked up by a slice of a byte array so the merge loop never copies.
 * Open addressing with linear probing; grows as needed. Not thread-safe while being filled;
 * read-only use afterwards is.
 */
final class BytesMap {
    private byte[][] keys;
    private int[] values;
    private int[] hashes;
    private int size;

    BytesMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedSize) * 2 - 1) << 1;
        keys = new byte[capacity][];
        values = new int[capacity];
        hashes = new int[capacity];
    }

    int size() {
        return size;
    }

    /** Maps {@code key} to {@code value}, replacing an earlier value. */
    void put(byte[] key, int value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int h = hash(key, 0, key.length);
        int mask = keys.length - 1;
        int slot = h & mask;
        while (keys[slot] != null) {
            if (hashes[slot] == h && Arrays.equals(keys[slot], key)) {
                values[slot] = value;
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        hashes[slot] = h;
        size++;
    }

    /** The value of {@code bytes[from, to)}, or -1. */
    int get(byte[] bytes, int from, int to) {
        int h = hash(bytes, from, to);
        int mask = keys.length - 1;
        for (int slot = h & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            if (hashes[slot] == h && Arrays.equals(keys[slot], 0, keys[slot].length, bytes, from, to)) {
                return values[slot];
            }
        }
        return -1;
    }

    int get(byte[] key) {
        return get(key, 0, key.length);
    }

    private void grow() {
        byte[][] oldKeys = keys;
        int[] oldValues = values;
        keys = new byte[oldKeys.length * 2][];
        values = new int[oldKeys.length * 2];
        hashes = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int hash(byte[] bytes, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) {
            h = (h ^ bytes[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
