package dev.strata.engine.tensor;

/**
 * Matrix products of weights with activations, split over a {@link ComputePool} by output rows.
 * Weights are {@code rows x cols} ({@link FloatTensor} row-major); activations are dense floats.
 */
public final class MatMul {
    private final ComputePool pool;

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
        pool.parallelFor(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                long rowOffset = (long) r * cols;
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = w.dot(rowOffset, x, t * cols, cols);
                }
            }
        });
    }
}
