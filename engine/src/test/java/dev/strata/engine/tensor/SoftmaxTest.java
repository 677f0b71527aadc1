package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SoftmaxTest {
    /** The polynomial is within 3e-7 relative of Math.exp from e^-87 to e^88 (about two float ulps). */
    @Test
    void expIsWithinTwoUlpsOfMathExp() {
        for (float x = -87f; x <= 88f; x += 0.0137f) {
            double expected = Math.exp(x);
            assertThat((double) Softmax.exp(x)).as("exp(" + x + ")").isCloseTo(expected, within(3e-7 * expected));
        }
        assertThat(Softmax.exp(0f)).isEqualTo(1f);
        assertThat(Softmax.exp(-1000f)).isEqualTo(Softmax.exp(Softmax.MIN_INPUT)).isPositive().isLessThan(1e-37f);
    }

    /** The vector kernel and the scalar reference give the same bits, elements and sum, any length. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 17, 64, 100, 2049})
    void vectorAndScalarAgreeBitForBit(int length) {
        Random random = new Random(length);
        float[] scores = new float[length + 5];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) random.nextGaussian() * 8f;
            if (i >= 3 && i < 3 + length) {
                max = Math.max(max, scores[i]);
            }
        }
        float[] vector = scores.clone();
        float[] scalar = scores.clone();
        float vectorSum = Softmax.expShifted(vector, 3, 3 + length, max);
        float scalarSum = Softmax.scalarExpShifted(scalar, 3, 3 + length, max);
        assertThat(vector).containsExactly(scalar);
        assertThat(vectorSum).isEqualTo(scalarSum);
        double expectedSum = 0;
        for (int i = 3; i < 3 + length; i++) {
            expectedSum += Math.exp(scores[i] - max);
        }
        assertThat((double) vectorSum).isCloseTo(expectedSum, within(1e-6 * expectedSum * Math.sqrt(length)));
        assertThat(vector[0]).isEqualTo(scores[0]);
        assertThat(vector[3 + length]).isEqualTo(scores[3 + length]);
    }
}
