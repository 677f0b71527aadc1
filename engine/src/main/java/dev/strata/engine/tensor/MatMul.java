package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;

/**
 * Matrix products of weights with activations, split over a {@link ComputePool} by output rows.
 * Weights are {@code rows x cols} ({@link FloatTensor} row-major); activations are dense floats.
 *
 * <p>{@link #matmul} (several tokens) reads each weight row from memory once for all tokens: with a
 * handful of tokens the fused dequantize-and-dot kernel runs per token on a row that stays in L1;
 * from {@link #DEQUANTIZE_MIN_TOKENS} tokens on, a row of any type but F32 (and Q8_K) is
 * dequantized once by its vector kernel into a per-thread buffer and dotted with every token by the
 * float kernel, so decoding is paid once per row instead of once per token.
 *
 * <p>Before either, each token's activations are rounded once per call as llama.cpp rounds them for
 * the weight type ({@link ActivationQuantizer}: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_K for the K-quants, fp16
 * for F16...), so that logits match llama.cpp's on the same file. For Q4_1/Q5_1 (Q8_1 activations)
 * each product also gets {@link FloatTensor#blockSumCorrection}: ggml adds the weight minimum times
 * an fp16-rounded block sum of the activations.
 */
public final class MatMul {
    /** Tokens from which a quantized row is dequantized once instead of decoded per token. */
    static final int DEQUANTIZE_MIN_TOKENS = 4;

    private final ComputePool pool;
    /** One row buffer per compute thread, grown on demand and then reused (no allocation per call). */
    private final ThreadLocal<float[]> rowBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Rounded activations, one buffer per calling thread, grown on demand and then reused. */
    private final ThreadLocal<float[]> activationBuffers = ThreadLocal.withInitial(() -> new float[0]);
    /** Q8_1 block-sum corrections of the rounded activations, one buffer per calling thread. */
    private final ThreadLocal<float[]> correctionBuffers = ThreadLocal.withInitial(() -> new float[0]);

    public MatMul(ComputePool pool) {
        this.pool = pool;
    }

    public ComputePool pool() {
        return pool;
    }

    /** {@code out[r] = dot(w[r, :], x)} for {@code r < rows}: one token. */
    public void matvec(FloatTensor w, int rows, int cols, float[] x, float[] out) {
        float[] xq = roundActivations(w.type(), x, cols, 1);
        float[] corrections = corrections(w.type());
        pool.parallelFor(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                out[r] = w.dot((long) r * cols, xq, 0, cols);
                if (corrections != null) {
                    out[r] += w.blockSumCorrection((long) r * cols, corrections, 0, cols);
                }
            }
        });
    }

    /**
     * {@code out[t * rows + r] = dot(w[r, :], x[t * cols ...])} for {@code t < tokens}: several tokens
     * at once, so each weight row is read from memory once per call.
     */
    public void matmul(FloatTensor w, int rows, int cols, float[] input, int tokens, float[] out) {
        if (tokens == 1) {
            matvec(w, rows, cols, input, out);
            return;
        }
        float[] x = roundActivations(w.type(), input, cols, tokens);
        float[] corrections = corrections(w.type());
        if (tokens < DEQUANTIZE_MIN_TOKENS || !dequantizesFast(w.type())) {
            pool.parallelFor(rows, (from, to) -> {
                for (int r = from; r < to; r++) {
                    long rowOffset = (long) r * cols;
                    for (int t = 0; t < tokens; t++) {
                        out[t * rows + r] = w.dot(rowOffset, x, t * cols, cols);
                    }
                    addCorrections(w, rowOffset, corrections, cols, tokens, out, r, rows);
                }
            });
        } else {
            pool.parallelFor(rows, (from, to) -> {
                float[] row = rowBuffer(cols);
                for (int r = from; r < to; r++) {
                    w.dequantize((long) r * cols, row, 0, cols);
                    int t = 0;
                    for (; t + 4 <= tokens; t += 4) {
                        F32Tensor.dot4(row, x, t * cols, cols, out, t * rows + r, rows);
                    }
                    for (; t < tokens; t++) {
                        out[t * rows + r] = F32Tensor.dot(row, 0, x, t * cols, cols);
                    }
                    addCorrections(w, (long) r * cols, corrections, cols, tokens, out, r, rows);
                }
            });
        }
    }

    /** Adds the Q8_1 block-sum corrections of every token to output row {@code r} (none when {@code corrections} is null). */
    private static void addCorrections(FloatTensor w, long rowOffset, float[] corrections, int cols, int tokens,
                                       float[] out, int r, int rows) {
        if (corrections == null) {
            return;
        }
        int blocksPerToken = cols / ActivationQuantizer.Q8_0_BLOCK;
        for (int t = 0; t < tokens; t++) {
            out[t * rows + r] += w.blockSumCorrection(rowOffset, corrections, t * blocksPerToken, cols);
        }
    }

    /** Types whose vector dequantization makes dequantize-once beat per-token decoding. */
    static boolean dequantizesFast(GgmlType type) {
        return Kernels.VECTOR && type != GgmlType.F32 && type != GgmlType.Q8_K && FloatTensor.supports(type);
    }

    /**
     * {@code x} rounded for {@code weightType} ({@link ActivationQuantizer}) into this thread's buffer,
     * or {@code x} itself when the type keeps float activations.
     */
    private float[] roundActivations(GgmlType weightType, float[] x, int cols, int tokens) {
        if (!ActivationQuantizer.rounds(weightType)) {
            return x;
        }
        int n = cols * tokens;
        float[] rounded = activationBuffers.get();
        if (rounded.length < n) {
            rounded = new float[n];
            activationBuffers.set(rounded);
        }
        if (ActivationQuantizer.keepsBlockSums(weightType)) {
            int blocks = n / ActivationQuantizer.Q8_0_BLOCK;
            float[] corrections = correctionBuffers.get();
            if (corrections.length < blocks) {
                corrections = new float[blocks];
                correctionBuffers.set(corrections);
            }
            ActivationQuantizer.roundQ8_1(x, 0, n, rounded, 0, corrections, 0);
        } else {
            ActivationQuantizer.round(weightType, x, 0, n, rounded, 0);
        }
        return rounded;
    }

    /** The block-sum corrections {@link #roundActivations} just wrote for Q4_1/Q5_1, else null. */
    private float[] corrections(GgmlType weightType) {
        return ActivationQuantizer.keepsBlockSums(weightType) ? correctionBuffers.get() : null;
    }

    private float[] rowBuffer(int cols) {
        float[] row = rowBuffers.get();
        if (row.length < cols) {
            row = new float[cols];
            rowBuffers.set(row);
        }
        return row;
    }
}
