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
}
