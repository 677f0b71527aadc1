package dev.strata.bench.peer;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** One entry of a next-token distribution: a token id and its probability (softmax over all logits). */
public record TokenProb(int token, float prob) {
    public TokenProb {
        if (token < 0) {
            throw new IllegalArgumentException("token must be >= 0, got " + token);
        }
        if (!(prob >= 0f && prob <= 1f)) {
            throw new IllegalArgumentException("prob must be in [0, 1], got " + prob);
        }
    }

    /** The {@code n} most likely tokens of {@code logits}, most likely first (ties: lower id first). */
    public static TokenProb[] top(float[] logits, int n) {
        return top(MemorySegment.ofArray(logits), logits.length, n);
    }

    /**
     * The {@code n} most likely of the first {@code vocabSize} floats of {@code logits}: a softmax in
     * double over the whole row (max subtracted), then a partial insertion sort.
     */
    public static TokenProb[] top(MemorySegment logits, int vocabSize, int n) {
        if (n < 1 || vocabSize < 1) {
            throw new IllegalArgumentException("n and vocabSize must be >= 1");
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, i));
        }
        double sum = 0;
        for (int i = 0; i < vocabSize; i++) {
            sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, i) - max);
        }
        int k = Math.min(n, vocabSize);
        int[] ids = new int[k];
        float[] values = new float[k];
        Arrays.fill(values, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vocabSize; i++) {
            float v = logits.getAtIndex(JAVA_FLOAT, i);
            if (v > values[k - 1]) {
                int j = k - 1;
                while (j > 0 && v > values[j - 1]) {
                    values[j] = values[j - 1];
                    ids[j] = ids[j - 1];
                    j--;
                }
                values[j] = v;
                ids[j] = i;
            }
        }
        TokenProb[] top = new TokenProb[k];
        for (int j = 0; j < k; j++) {
            top[j] = new TokenProb(ids[j], (float) (Math.exp(values[j] - max) / sum));
        }
        return top;
    }
}
