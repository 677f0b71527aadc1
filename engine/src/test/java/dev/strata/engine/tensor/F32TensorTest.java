package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class F32TensorTest {
    /** dot4 equals four tileDot calls bit for bit (grouping-invariant), and the plain dot within 1e-5 relative. */
    @ParameterizedTest
    @ValueSource(ints = {1, 31, 64, 100, 256, 333})
    void dot4IsFourDotsExactlyAndMatchesScalarReference(int length) {
        Random random = new Random(length);
        float[] row = KernelTestSupport.gaussian(random, length, 0.5f);
        int xOffset = 3;
        float[] x = KernelTestSupport.gaussian(random, xOffset + 4 * length, 1f);
        int stride = 5;
        float[] out = new float[1 + 4 * stride];
        F32Tensor.dot4(row, 0, x, xOffset, length, out, 1, stride, new float[F32Tensor.DOT4_SCRATCH]);
        for (int t = 0; t < 4; t++) {
            float exact = F32Tensor.tileDot(row, 0, x, xOffset + t * length, length);
            assertThat(out[1 + t * stride]).as("token " + t).isEqualTo(exact);
            float plain = F32Tensor.scalarDot(row, 0, x, xOffset + t * length, length);
            assertThat(out[1 + t * stride]).isCloseTo(plain,
                    within(1e-5f * (1 + Math.abs(plain)) * (float) Math.sqrt(length)));
        }
    }

    /**
     * dot4x4 (4 rows of a tile x 4 tokens) on unaligned offsets and lengths with and without a tail:
     * bit-identical to F32Tensor.tileDot per output (its exact reference, the vector lanes' order in
     * plain Java), and within 1e-5 of the sum of |products| of a plain one-accumulator dot.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 64, 100, 256, 333, 896})
    void dot4x4MatchesSixteenScalarDots(int length) {
        Random random = new Random(length + 7);
        int rowOffset = 5;
        float[] tile = KernelTestSupport.gaussian(random, rowOffset + 4 * length + 3, 0.5f);
        int xOffset = 3;
        float[] x = KernelTestSupport.gaussian(random, xOffset + 4 * length, 1f);
        int stride = 9;
        float[] out = new float[2 + 4 * stride];
        F32Tensor.dot4x4(tile, rowOffset, x, xOffset, length, out, 2, stride, new float[F32Tensor.DOT4X4_SCRATCH]);
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 4; k++) {
                double magnitude = 0;
                for (int i = 0; i < length; i++) {
                    magnitude += Math.abs((double) tile[rowOffset + k * length + i] * x[xOffset + t * length + i]);
                }
                int o = 2 + t * stride + k;
                float plain = F32Tensor.scalarDot(tile, rowOffset + k * length, x, xOffset + t * length, length);
                assertThat(out[o]).as("token " + t + " row " + k).isCloseTo(plain, within((float) (1e-5 * magnitude)));
                assertThat(out[o]).as("token " + t + " row " + k + " vs tileDot").isEqualTo(
                        F32Tensor.tileDot(tile, rowOffset + k * length, x, xOffset + t * length, length));
            }
        }
    }
}
