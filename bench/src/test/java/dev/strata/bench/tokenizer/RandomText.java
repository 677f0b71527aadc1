package dev.strata.bench.tokenizer;

import java.util.SplittableRandom;

/** Random text mixing scripts, emoji, combining marks and white space (no lone surrogates). */
final class RandomText {
    private static final int[][] POOLS = {
        range('a', 'z'), range('A', 'Z'), range('0', '9'),
        {' ', ' ', ' ', '\n', '\t', '\r', ' '},
        ".,;:!?'\"()[]{}<>-_/\\@#$%^&*+=|~`".chars().toArray(),
        range(0x4E00, 0x9FFF), range(0x3040, 0x30FF), range(0x0400, 0x04FF), range(0x0600, 0x06FF),
        range(0x0300, 0x036F), range(0x1F600, 0x1F64F), range(0x1F300, 0x1F5FF),
        {0x200D, 0xFE0F, 0x00A0, 0x3000, 0x2028, 0x0085, 0xFEFF, 0x2581},
        range(0x00C0, 0x024F), range(0x0E00, 0x0E7F), range(0xAC00, 0xAD00),
    };

    private RandomText() {}

    static String of(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            int[] pool = POOLS[random.nextInt(POOLS.length)];
            int run = 1 + random.nextInt(6);
            for (int k = 0; k < run; k++) {
                sb.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
        }
        return sb.toString();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
