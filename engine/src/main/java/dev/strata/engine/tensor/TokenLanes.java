package dev.strata.engine.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * The prefill product with tokens in the vector lanes: {@code out[t][r] = Σ_k w[r][k] · x[t][k]} for a
 * panel of {@link #PANEL_ROWS} float rows and a group of {@link #lanes()} tokens, as sixteen
 * accumulators that each hold one row's outputs for the group's tokens. Each step {@code k} loads one
 * vector of the group's activations and multiply-adds it with one broadcast weight per row, so every
 * weight is loaded once per group of tokens and no lane sums are left at the end.
 *
 * <p>Two layouts make both streams sequential. Activations are transposed once per product into
 * {@code xt[group][k][lane]} ({@link #transpose}, zero lanes after the last token, zero steps after
 * the last column). A panel holds its rows' weights in chunks of {@code lanes} columns,
 * {@code panel[(chunk * PANEL_ROWS + row) * lanes + j]} ({@link #toPanel}: each chunk is one vector
 * copy of a dequantized row), so the sixteen broadcasts of a step lie within one kilobyte that the
 * next steps reuse: rows that are far apart in the tile, by contrast, make sixteen separate streams.
 *
 * <p>Every output is one chain of fused multiply-adds over {@code k} in order, starting from zero:
 * exactly {@link #chainDot} of its row and token. It depends on nothing else in the call, so a
 * token's result is the same bits in any batch and at any position, and rows past the last one of a
 * panel may hold anything (their outputs are not stored).
 */
final class TokenLanes {
    /** Rows of a panel: one accumulator each. */
    static final int PANEL_ROWS = 16;
    /** Floats of scratch {@link #multiply} needs: the panel's accumulators, stored to be scattered. */
    static final int SCRATCH = PANEL_ROWS * 16;

    private TokenLanes() {}

    /** Tokens per group, and columns per panel chunk: the float vector's lanes. */
    static int lanes() {
        return VectorShapes.LANES;
    }

    /** {@code cols} rounded up to whole chunks. */
    static int paddedCols(int cols) {
        int lanes = lanes();
        return (cols + lanes - 1) / lanes * lanes;
    }

    /** Groups of {@link #lanes()} tokens that {@code tokens} tokens make. */
    static int groups(int tokens) {
        return (tokens + lanes() - 1) / lanes();
    }

    /** Floats {@link #transpose} writes for {@code tokens} tokens of {@code cols} columns. */
    static int transposedLength(int cols, int tokens) {
        return groups(tokens) * lanes() * paddedCols(cols);
    }

    /** Floats of one panel of rows of {@code cols} columns. */
    static int panelLength(int cols) {
        return PANEL_ROWS * paddedCols(cols);
    }

    /**
     * Groups {@code [fromGroup, toGroup)} of {@code x} (token after token, {@code cols} each) as
     * {@code xt[group][k][lane]}, zero-padded.
     */
    static void transpose(float[] x, int cols, int tokens, int fromGroup, int toGroup, float[] xt) {
        int lanes = lanes();
        int padded = paddedCols(cols);
        for (int g = fromGroup; g < toGroup; g++) {
            int base = g * lanes * padded;
            int valid = Math.min(lanes, tokens - g * lanes);
            for (int k = 0; k < padded; k++) {
                int o = base + k * lanes;
                if (k < cols) {
                    int xi = g * lanes * cols + k;
                    for (int l = 0; l < valid; l++, xi += cols) {
                        xt[o + l] = x[xi];
                    }
                    for (int l = valid; l < lanes; l++) {
                        xt[o + l] = 0f;
                    }
                } else {
                    java.util.Arrays.fill(xt, o, o + lanes, 0f);
                }
            }
        }
    }

    /**
     * Copies {@code row} ({@link #paddedCols} floats whose columns from {@code cols} on are zero) into
     * row {@code panelRow} of the panel at {@code panel[panelOffset ...]}.
     */
    static void toPanel(float[] row, int cols, int panelRow, float[] panel, int panelOffset) {
        int lanes = lanes();
        int padded = paddedCols(cols);
        int dst = panelOffset + panelRow * lanes;
        for (int k = 0; k < padded; k += lanes, dst += PANEL_ROWS * lanes) {
            FloatVector.fromArray(VectorShapes.F, row, k).intoArray(panel, dst);
        }
    }

    /**
     * {@code out[t * outStride + outRow + r]} for the panel's rows {@code r < validRows} and the tokens
     * {@code t} of group {@code group} below {@code tokens}. {@code scratch}: {@link #SCRATCH} floats.
     */
    static void multiply(float[] panel, int panelOffset, int cols, float[] xt, int group, int tokens, float[] out,
            int outRow, int validRows, int outStride, float[] scratch) {
        int lanes = lanes();
        int padded = paddedCols(cols);
        Simd.panel(panel, panelOffset, padded, xt, group * lanes * padded, scratch);
        int firstToken = group * lanes;
        int validLanes = Math.min(lanes, tokens - firstToken);
        for (int l = 0; l < validLanes; l++) {
            int o = (firstToken + l) * outStride + outRow;
            for (int r = 0; r < validRows; r++) {
                out[o + r] = scratch[r * lanes + l];
            }
        }
    }

    /** The reference: {@code Σ_k row[k] · x[k]} as one {@link Math#fma} chain in order from zero. */
    static float chainDot(float[] row, int rowOffset, float[] x, int xOffset, int length) {
        float acc = 0f;
        for (int k = 0; k < length; k++) {
            acc = Math.fma(row[rowOffset + k], x[xOffset + k], acc);
        }
        return acc;
    }

    static final class Simd {
        private Simd() {}

        /**
         * The sixteen accumulators of a panel against one token group ({@code padded} steps), stored
         * to {@code scratch[r * lanes ...]}. Written out per row: C2 keeps named locals in registers,
         * an array of vectors it would not.
         */
        static void panel(float[] p, int panelOffset, int padded, float[] xt, int xtOffset, float[] scratch) {
            final int lanes = VectorShapes.LANES;
            FloatVector a0 = FloatVector.zero(VectorShapes.F);
            FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
            int xi = xtOffset;
            for (int chunk = panelOffset; chunk < panelOffset + padded * PANEL_ROWS; chunk += PANEL_ROWS * lanes) {
                for (int j = 0; j < lanes; j++, xi += lanes) {
                    FloatVector x = FloatVector.fromArray(VectorShapes.F, xt, xi);
                    int w = chunk + j;
                    a0 = FloatVector.broadcast(VectorShapes.F, p[w]).fma(x, a0);
                    a1 = FloatVector.broadcast(VectorShapes.F, p[w + lanes]).fma(x, a1);
                    a2 = FloatVector.broadcast(VectorShapes.F, p[w + 2 * lanes]).fma(x, a2);
                    a3 = FloatVector.broadcast(VectorShapes.F, p[w + 3 * lanes]).fma(x, a3);
                    a4 = FloatVector.broadcast(VectorShapes.F, p[w + 4 * lanes]).fma(x, a4);
                    a5 = FloatVector.broadcast(VectorShapes.F, p[w + 5 * lanes]).fma(x, a5);
                    a6 = FloatVector.broadcast(VectorShapes.F, p[w + 6 * lanes]).fma(x, a6);
                    a7 = FloatVector.broadcast(VectorShapes.F, p[w + 7 * lanes]).fma(x, a7);
                    a8 = FloatVector.broadcast(VectorShapes.F, p[w + 8 * lanes]).fma(x, a8);
                    a9 = FloatVector.broadcast(VectorShapes.F, p[w + 9 * lanes]).fma(x, a9);
                    a10 = FloatVector.broadcast(VectorShapes.F, p[w + 10 * lanes]).fma(x, a10);
                    a11 = FloatVector.broadcast(VectorShapes.F, p[w + 11 * lanes]).fma(x, a11);
                    a12 = FloatVector.broadcast(VectorShapes.F, p[w + 12 * lanes]).fma(x, a12);
                    a13 = FloatVector.broadcast(VectorShapes.F, p[w + 13 * lanes]).fma(x, a13);
                    a14 = FloatVector.broadcast(VectorShapes.F, p[w + 14 * lanes]).fma(x, a14);
                    a15 = FloatVector.broadcast(VectorShapes.F, p[w + 15 * lanes]).fma(x, a15);
                }
            }
            a0.intoArray(scratch, 0);
            a1.intoArray(scratch, lanes);
            a2.intoArray(scratch, 2 * lanes);
            a3.intoArray(scratch, 3 * lanes);
            a4.intoArray(scratch, 4 * lanes);
            a5.intoArray(scratch, 5 * lanes);
            a6.intoArray(scratch, 6 * lanes);
            a7.intoArray(scratch, 7 * lanes);
            a8.intoArray(scratch, 8 * lanes);
            a9.intoArray(scratch, 9 * lanes);
            a10.intoArray(scratch, 10 * lanes);
            a11.intoArray(scratch, 11 * lanes);
            a12.intoArray(scratch, 12 * lanes);
            a13.intoArray(scratch, 13 * lanes);
            a14.intoArray(scratch, 14 * lanes);
            a15.intoArray(scratch, 15 * lanes);
        }
    }
}
