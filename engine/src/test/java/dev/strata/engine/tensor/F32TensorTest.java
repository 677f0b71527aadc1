package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class F32TensorTest {
    /** dot4 equals four dot calls bit for bit (grouping-invariant), and its scalar reference within 1e-5 relative. */
    @ParameterizedTest
    @ValueSource(ints = {1, 31, 64, 100, 256, 333})
    void dot4IsFourDotsExactlyAndMatchesScalarReference(int length) {
        Random random = new Random(length);
        float[] row = KernelTestSupport.gaussian(random, length, 0.5f);
        int xOffset = 3;
        float[] x = KernelTestSupport.gaussian(random, xOffset + 4 * length, 1f);
        int stride = 5;
        float[] out = new float[1 + 4 * stride];
        F32Tensor.dot4(row, x, xOffset, length, out, 1, stride);
        float[] reference = new float[out.length];
        F32Tensor.scalarDot4(row, 0, x, xOffset, length, reference, 1, stride);
        for (int t = 0; t < 4; t++) {
            float single = F32Tensor.dot(row, 0, x, xOffset + t * length, length);
            assertThat(out[1 + t * stride]).as("token " + t).isEqualTo(single);
            assertThat(out[1 + t * stride]).isCloseTo(reference[1 + t * stride],
                    within(1e-5f * (1 + Math.abs(reference[1 + t * stride])) * (float) Math.sqrt(length)));
        }
    }

    /**
     * dot4x4 (4 rows of a tile x 4 tokens) on unaligned offsets and lengths with and without a tail:
     * bit-identical to F32Tensor.dot per output, and within 1e-5 of the sum of |products| of the scalar
     * reference.
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
        float[] reference = new float[out.length];
        F32Tensor.scalarDot4x4(tile, rowOffset, x, xOffset, length, reference, 2, stride);
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 4; k++) {
                double magnitude = 0;
                for (int i = 0; i < length; i++) {
                    magnitude += Math.abs((double) tile[rowOffset + k * length + i] * x[xOffset + t * length + i]);
                }
                int o = 2 + t * stride + k;
                assertThat(out[o]).as("token " + t + " row " + k).isCloseTo(reference[o], within((float) (1e-5 * magnitude)));
                assertThat(out[o]).as("token " + t + " row " + k + " vs dot").isEqualTo(
                        F32Tensor.dot(tile, rowOffset + k * length, x, xOffset + t * length, length));
            }
        }
    }
}
