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
 */
public final class MatMul {
    /** Tokens from which a quantized row is dequantized once instead of decoded per token. */
    static final int DEQUANTIZE_MIN_TOKENS = 4;

    private final ComputePool pool;
    /** One row buffer per compute thread, grown on demand and then reused (no allocation per call). */
    private final ThreadLocal<float[]> rowBuffers = ThreadLocal.withInitial(() -> new float[0]);

    public MatMul(ComputePool pool) {
        this.pool = pool;
    }

    public ComputePool pool() {
        return pool;
    }

    /** {@code out[r] = dot(w[r, :], x)} for {@code r < rows}: one token. */
    public void matvec(FloatTensor w, int rows, int cols, float[] x, float[] out) {
        pool.parallelFor(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                out[r] = w.dot((long) r * cols, x, 0, cols);
            }
        });
    }

    /**
     * {@code out[t * rows + r] = dot(w[r, :], x[t * cols ...])} for {@code t < tokens}: several tokens
     * at once, so each weight row is read from memory once per call.
     */
    public void matmul(FloatTensor w, int rows, int cols, float[] x, int tokens, float[] out) {
        if (tokens == 1) {
            matvec(w, rows, cols, x, out);
        } else if (tokens < DEQUANTIZE_MIN_TOKENS || !dequantizesFast(w.type())) {
            pool.parallelFor(rows, (from, to) -> {
                for (int r = from; r < to; r++) {
                    long rowOffset = (long) r * cols;
                    for (int t = 0; t < tokens; t++) {
                        out[t * rows + r] = w.dot(rowOffset, x, t * cols, cols);
                    }
                }
            });
        } else {
            pool.parallelFor(rows, (from, to) -> {
                float[] row = rowBuffer(cols);
                for (int r = from; r < to; r++) {
                    w.dequantize((long) r * cols, row, 0, cols);
                    for (int t = 0; t < tokens; t++) {
                        out[t * rows + r] = F32Tensor.dot(row, 0, x, t * cols, cols);
                    }
                }
            });
        }
    }

    /** Types whose vector dequantization makes dequantize-once beat per-token decoding. */
    static boolean dequantizesFast(GgmlType type) {
        return Kernels.VECTOR && type != GgmlType.F32 && type != GgmlType.Q8_K && FloatTensor.supports(type);
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
