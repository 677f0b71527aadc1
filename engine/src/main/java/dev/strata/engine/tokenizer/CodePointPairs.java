package dev.strata.engine.tokenizer;

import java.util.Arrays;

/**
 * The set of adjacent code-point pairs that occur inside any vocabulary piece. Where a text has a
 * pair that is not in the set, no piece can ever span that spot, so a merge-based tokenizer may
 * cut the text there and merge the parts independently with the same result: the merge order
 * within each part is unchanged, and no candidate pair ever crosses the cut. This keeps the
 * SentencePiece merge queue small (a word or so) instead of the size of the whole input.
 */
final class CodePointPairs {
    private static final long EMPTY = Long.MIN_VALUE;

    private long[] slots = new long[1024];
    private int size;

    static CodePointPairs of(String[] pieces) {
        CodePointPairs pairs = new CodePointPairs();
        for (String piece : pieces) {
            int prev = -1;
            for (int i = 0; i < piece.length(); ) {
                int cp = piece.codePointAt(i);
                i += Character.charCount(cp);
                if (prev >= 0) {
                    pairs.add(prev, cp);
                }
                prev = cp;
            }
        }
        return pairs;
    }

    private CodePointPairs() {
        Arrays.fill(slots, EMPTY);
    }

    boolean contains(int first, int second) {
        long key = key(first, second);
        int mask = slots.length - 1;
        for (int slot = slot(key, mask); slots[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (slots[slot] == key) {
                return true;
            }
        }
        return false;
    }

    private void add(int first, int second) {
        if ((size + 1) * 2 > slots.length) {
            long[] old = slots;
            slots = new long[old.length * 2];
            Arrays.fill(slots, EMPTY);
            size = 0;
            for (long k : old) {
                if (k != EMPTY) {
                    insert(k);
                }
            }
        }
        insert(key(first, second));
    }

    private void insert(long key) {
        int mask = slots.length - 1;
        int slot = slot(key, mask);
        while (slots[slot] != EMPTY) {
            if (slots[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = key;
        size++;
    }

    private static long key(int first, int second) {
        return ((long) first << 32) | second;
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }
}
