package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationQuantizerTest {
    private static final int Q8_0 = ActivationQuantizer.Q8_0_BLOCK;

    /** Q8_K rounding is quantize_row_q8_K_ref followed by dequantization, bit for bit. */
    @Test
    void q8KRoundingEqualsQ8KQuantizeThenDequantize() {
        float[] x = KernelTestSupport.gaussian(new Random(5), 4 * 256, 2f);
        float[] rounded = new float[x.length];
        ActivationQuantizer.round(GgmlType.Q4_K, x, 0, x.length, rounded, 0);
        FloatTensor q8k = FloatTensor.of(GgmlType.Q8_K, MemorySegment.ofArray(Quantizer.quantize(GgmlType.Q8_K, x)), x.length);
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = q8k.getFloat(i);
        }
        assertThat(rounded).containsExactly(expected);
    }

    /** Q8_0 rounding: every value is an integer multiple of the block's fp16 scale, within half a step. */
    /**
     * The vector Q8_0 rounding writes the scalar loop's bits and returns its Q8_1 correction, on
     * random blocks, blocks of exact halves (ties go to even), an all-zero block and small negatives.
     */
    @Test
    void vectorQ8_0RoundingEqualsTheScalarLoop() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "vector kernels only");
        java.util.Random random = new java.util.Random(21);
        java.util.List<float[]> blocks = new java.util.ArrayList<>();
        for (int b = 0; b < 200; b++) {
            blocks.add(KernelTestSupport.gaussian(random, Q8_0, 1f + b));
        }
        float[] ties = new float[Q8_0];
        for (int j = 0; j < Q8_0; j++) {
            ties[j] = (j % 2 == 0 ? 1 : -1) * (j + 0.5f); // max 31.5: levels x * 127 / 31.5, halves included
        }
        ties[Q8_0 - 1] = 127f; // scale 1: every other value is an exact half
        blocks.add(ties);
        blocks.add(new float[Q8_0]);
        float[] tiny = new float[Q8_0];
        java.util.Arrays.fill(tiny, -1e-6f);
        tiny[0] = 1f;
        blocks.add(tiny);
        for (float[] block : blocks) {
            float[] vector = new float[Q8_0];
            float[] scalar = new float[Q8_0];
            float vectorCorrection = ActivationQuantizer.Simd.roundQ8_0Block(block, 0, vector, 0);
            float scalarCorrection = ActivationQuantizer.scalarRoundQ8_0Block(block, 0, scalar, 0);
            for (int j = 0; j < Q8_0; j++) {
                assertThat(Float.floatToRawIntBits(vector[j])).as("element " + j)
                        .isEqualTo(Float.floatToRawIntBits(scalar[j]));
            }
            assertThat(Float.floatToRawIntBits(vectorCorrection)).isEqualTo(Float.floatToRawIntBits(scalarCorrection));
        }
    }

    /**
     * The vector Q8_K rounding writes the scalar loop's bits: random blocks, a block whose largest
     * magnitude comes first negative then positive (the first one sets the sign of the scale), and
     * an all-zero block.
     */
    @Test
    void vectorQ8_KRoundingEqualsTheScalarLoop() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "vector kernels only");
        int n = ActivationQuantizer.Q8_K_BLOCK;
        java.util.Random random = new java.util.Random(22);
        java.util.List<float[]> blocks = new java.util.ArrayList<>();
        for (int b = 0; b < 100; b++) {
            blocks.add(KernelTestSupport.gaussian(random, n, 0.5f + b));
        }
        float[] signs = KernelTestSupport.gaussian(random, n, 0.1f);
        signs[40] = -3f;
        signs[200] = 3f;
        blocks.add(signs);
        blocks.add(new float[n]);
        for (float[] block : blocks) {
            float[] vector = new float[n];
            float[] scalar = new float[n];
            ActivationQuantizer.Simd.roundQ8_KBlock(block, 0, vector, 0);
            ActivationQuantizer.scalarRoundQ8_KBlock(block, 0, scalar, 0);
            for (int j = 0; j < n; j++) {
                assertThat(Float.floatToRawIntBits(vector[j])).as("element " + j)
                        .isEqualTo(Float.floatToRawIntBits(scalar[j]));
            }
        }
    }

    @Test
    void q8_0RoundingIsWithinHalfAStepOnTheFp16Grid() {
        float[] x = KernelTestSupport.gaussian(new Random(6), 8 * 32, 1f);
        float[] rounded = new float[x.length];
        ActivationQuantizer.round(GgmlType.Q4_0, x, 0, x.length, rounded, 0);
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b + j]));
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127));
            for (int j = 0; j < 32; j++) {
                float level = rounded[b + j] / d;
                assertThat(level).isEqualTo((float) Math.rint(level));
                assertThat(Math.abs(level)).isLessThanOrEqualTo(127f);
                assertThat(Math.abs(x[b + j] * 127 / amax - level)).isLessThanOrEqualTo(0.5f + 1e-4f);
            }
        }
    }

    /**
     * Q8_1: the same levels as Q8_0, and per block the correction that turns the exact sum of the
     * rounded values into ggml's {@code s = fp16(amax / 127 * sum q)}.
     */
    @Test
    void q8_1KeepsGgmlsFp16BlockSumAsACorrection() {
        float[] x = KernelTestSupport.gaussian(new Random(7), 16 * 32, 1.5f);
        x[40] = 0;
        java.util.Arrays.fill(x, 64, 96, 0f); // an all-zero block: no correction
        float[] q8_0 = new float[x.length];
        ActivationQuantizer.round(GgmlType.Q4_0, x, 0, x.length, q8_0, 0);
        float[] rounded = new float[x.length + 3];
        float[] corrections = new float[x.length / 32 + 1];
        ActivationQuantizer.roundQ8_1(x, 0, x.length, rounded, 3, corrections, 1);
        assertThat(java.util.Arrays.copyOfRange(rounded, 3, rounded.length)).containsExactly(q8_0);
        int nonZero = 0;
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float d16 = Float.float16ToFloat(Float.floatToFloat16(amax / 127));
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += d16 == 0 ? 0 : Math.round(q8_0[b * 32 + j] / d16);
            }
            float s = Float.float16ToFloat(Float.floatToFloat16(amax / 127 * sum));
            assertThat(corrections[1 + b]).as("block " + b).isEqualTo(s - d16 * sum);
            nonZero += corrections[1 + b] != 0 ? 1 : 0;
        }
        assertThat(corrections[1 + 2]).isZero();
        assertThat(nonZero).as("fp16 rounding of the sum moves most blocks").isGreaterThan(8);
    }

    @Test
    void f16AndBf16RoundToNearest() {
        float[] x = {1.0001f, -3.14159f, 65504f, 1e-8f};
        float[] out = new float[x.length];
        ActivationQuantizer.round(GgmlType.F16, x, 0, x.length, out, 0);
        assertThat(out[1]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(-3.14159f)));
        ActivationQuantizer.round(GgmlType.BF16, x, 0, x.length, out, 0);
        assertThat(out[1]).isEqualTo(Float.intBitsToFloat(Float.floatToIntBits(-3.14159f) + 0x8000 & 0xFFFF0000));
        ActivationQuantizer.round(GgmlType.F32, x, 0, x.length, out, 0);
        assertThat(out).containsExactly(x);
    }
}
