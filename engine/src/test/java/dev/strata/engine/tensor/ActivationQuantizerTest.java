package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationQuantizerTest {
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
