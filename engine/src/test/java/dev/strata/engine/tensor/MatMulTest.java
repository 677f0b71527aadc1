package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MatMulTest {
    private static ComputePool pool;

    @BeforeAll
    static void startPool() {
        pool = new ComputePool(3);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    /** matvec and matmul (below and above the dequantize-once threshold, and with token lanes) agree with per-row dots. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void matmulAgreesWithRowDots(GgmlType type) {
        Random random = new Random(11);
        int rows = 37;
        int cols = 256;
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(
                Quantizer.quantize(type, KernelTestSupport.gaussian(random, rows * cols, 0.3f))), (long) rows * cols);
        MatMul matMul = new MatMul(pool);
        for (int tokens : new int[] {1, 2, MatMul.DEQUANTIZE_MIN_TOKENS, 7, 19}) {
            float[] x = KernelTestSupport.gaussian(random, tokens * cols, 1f);
            float[] out = new float[tokens * rows];
            matMul.matmul(w, rows, cols, x, tokens, out);
            float[] rounded = new float[x.length];
            float[] corrections = new float[x.length / ActivationQuantizer.Q8_0_BLOCK];
            if (ActivationQuantizer.keepsBlockSums(type)) {
                ActivationQuantizer.roundQ8_1(x, 0, x.length, rounded, 0, corrections, 0);
            } else {
                ActivationQuantizer.round(type, x, 0, x.length, rounded, 0);
            }
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    float expected = w.dot((long) r * cols, rounded, t * cols, cols)
                            + w.blockSumCorrection((long) r * cols, corrections, t * cols / ActivationQuantizer.Q8_0_BLOCK, cols);
                    assertThat(out[t * rows + r]).as(type + " tokens=" + tokens + " t=" + t + " r=" + r)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(expected))));
                }
            }
            if (tokens == 1) {
                float[] single = new float[rows];
                matMul.matvec(w, rows, cols, x, single);
                assertThat(single).containsExactly(out);
            }
        }
    }

    /**
     * Several tiles per thread, a tile row count that is not a multiple of four and a token count that
     * is not either: every output equals, bit for bit, the tile-order dot ({@code F32Tensor.tileDot})
     * of the dequantized row with the rounded activations, wherever the row and token sit in tiles.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void tiledMatmulEqualsDequantizedRowDotsExactly(GgmlType type) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "tiles run with vector kernels only");
        int cols = 4096;
        int tokens = MatMul.DEQUANTIZE_MIN_TOKENS + 3;
        assertThat(MatMul.usesTokenLanes(tokens)).isFalse();
        assertEveryOutputIs(type, new Random(5), 3 * MatMul.tileRows(cols) + 5, cols, tokens, F32Tensor::tileDot);
    }

    /**
     * From a full vector of tokens on, with a token count that leaves a partial last group, several
     * tiles per thread and a last panel of fewer than sixteen rows: every output equals, bit for bit,
     * the in-order multiply-add chain ({@code TokenLanes.chainDot}) of the dequantized row with the
     * rounded activations.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void tokenLaneMatmulEqualsDequantizedRowChainsExactly(GgmlType type) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "token lanes run with vector kernels only");
        int cols = 1024;
        int tokens = 2 * TokenLanes.lanes() + 3;
        assertThat(MatMul.usesTokenLanes(tokens)).isTrue();
        assertEveryOutputIs(type, new Random(6), 3 * MatMul.tilePanels(cols) * TokenLanes.PANEL_ROWS + 5, cols, tokens,
                TokenLanes::chainDot);
    }

    /** A reference dot product of a dequantized row with rounded activations. */
    @FunctionalInterface
    private interface RowDot {
        float dot(float[] row, int rowOffset, float[] x, int xOffset, int length);
    }

    /** matmul of random weights and activations equals {@code reference} of each row and token, bit for bit. */
    private static void assertEveryOutputIs(GgmlType type, Random random, int rows, int cols, int tokens,
            RowDot reference) {
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(
                Quantizer.quantize(type, KernelTestSupport.gaussian(random, rows * cols, 0.3f))), (long) rows * cols);
        float[] x = KernelTestSupport.gaussian(random, tokens * cols, 1f);
        float[] out = new float[tokens * rows];
        new MatMul(pool).matmul(w, rows, cols, x, tokens, out);
        float[] rounded = new float[x.length];
        ActivationQuantizer.round(type, x, 0, x.length, rounded, 0);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantize((long) r * cols, row, 0, cols);
            for (int t = 0; t < tokens; t++) {
                float expected = reference.dot(row, 0, rounded, t * cols, cols);
                assertThat(out[t * rows + r]).as(type + " t=" + t + " r=" + r).isEqualTo(expected);
            }
        }
    }

    /**
     * Batch invariance within each size class: a token's outputs are the same bits whether it is
     * computed in a batch of 7, of 5 or of 4, at whatever position (the tile path's last token group
     * overlaps the previous one instead of falling back to another kernel), and likewise in any batch
     * of at least a vector of tokens (token lanes: 40, 23, 16).
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_K"})
    void aTokensResultDoesNotDependOnItsBatch(GgmlType type) {
        Random random = new Random(9);
        int cols = 512;
        int rows = 2 * MatMul.tileRows(cols) + 7;
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(
                Quantizer.quantize(type, KernelTestSupport.gaussian(random, rows * cols, 0.3f))), (long) rows * cols);
        MatMul matMul = new MatMul(pool);
        float[] x = KernelTestSupport.gaussian(random, 7 * cols, 1f);
        float[] all = new float[7 * rows];
        matMul.matmul(w, rows, cols, x, 7, all);
        assertSameBitsInSmallerBatches(matMul, w, rows, cols, x, all, new int[][] {{0, 5}, {2, 5}, {1, 4}, {3, 4}});
        int lanes = TokenLanes.lanes();
        if (Kernels.VECTOR && lanes > 1) {
            int many = 2 * lanes + 8;
            float[] more = KernelTestSupport.gaussian(random, many * cols, 1f);
            float[] allMore = new float[many * rows];
            matMul.matmul(w, rows, cols, more, many, allMore);
            assertSameBitsInSmallerBatches(matMul, w, rows, cols, more, allMore,
                    new int[][] {{0, lanes + 7}, {3, lanes}, {lanes + 8, lanes}});
        }
    }

    private static void assertSameBitsInSmallerBatches(MatMul matMul, FloatTensor w, int rows, int cols, float[] x,
            float[] all, int[][] windows) {
        for (int[] window : windows) {
            int start = window[0];
            int tokens = window[1];
            float[] part = new float[tokens * rows];
            matMul.matmul(w, rows, cols, java.util.Arrays.copyOfRange(x, start * cols, (start + tokens) * cols), tokens, part);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    assertThat(part[t * rows + r]).as(w.type() + " token " + (start + t) + " row " + r + " in a batch of " + tokens)
                            .isEqualTo(all[(start + t) * rows + r]);
                }
            }
        }
    }
}
