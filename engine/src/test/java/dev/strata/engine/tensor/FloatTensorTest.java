package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.EngineException;
import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector kernel against its scalar reference, and every scalar kernel against a double
 * precision dot of the dequantized values, on random data with unaligned offsets and tails.
 *
 * <p>Tolerance: the kernels differ only in summation order and FMA rounding, so the difference is
 * bounded by a small multiple of float epsilon times {@code sum |w_i x_i|}; we allow
 * {@code 2e-5 * sum |w_i x_i| + 1e-6}.
 */
class FloatTensorTest {
    private static final double RELATIVE_TOLERANCE = 2e-5;

    static GgmlType[] types() {
        return KernelTestSupport.TYPES;
    }

    @ParameterizedTest
    @MethodSource("types")
    void vectorKernelMatchesScalarReference(GgmlType type) {
        Random random = new Random(42 + type.id());
        int block = Math.max(type.blockSize(), 32);
        int blocks = 12;
        int n = block * blocks;
        float[] values = KernelTestSupport.gaussian(random, n, 0.5f);
        MemorySegment data = KernelTestSupport.quantized(type, values);
        FloatTensor tensor = FloatTensor.of(type, data, n);
        float[] dequantized = new float[n];
        tensor.dequantize(0, dequantized, 0, n);
        float[] x = KernelTestSupport.gaussian(random, n + 64, 1f);
        KernelTestSupport.DotKernel scalar = KernelTestSupport.scalar(type);
        KernelTestSupport.DotKernel vector = KernelTestSupport.vector(type);
        // aligned whole rows, unaligned starts, short ranges inside one block, ragged tails, empty
        int[][] cases = {
            {0, n, 0}, {0, n, 7}, {block, n - 2 * block, 3}, {3, n - 3, 5}, {block - 1, block + 2, 1},
            {5, Math.min(7, block - 5 > 0 ? 7 : 1), 0}, {0, 1, 0}, {n - 1, 1, 11}, {17 % block, n - 40, 2},
            {0, 0, 0}, {block * 2, block * 3 + 13, 9}
        };
        for (int[] c : cases) {
            long offset = c[0];
            int length = c[1];
            int xOffset = c[2];
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < length; i++) {
                exact += (double) dequantized[(int) offset + i] * x[xOffset + i];
                magnitude += Math.abs((double) dequantized[(int) offset + i] * x[xOffset + i]);
            }
            double tolerance = RELATIVE_TOLERANCE * magnitude + 1e-6;
            float s = scalar.dot(data, offset, x, xOffset, length);
            float v = vector.dot(data, offset, x, xOffset, length);
            String where = type + " offset=" + offset + " length=" + length + " xOffset=" + xOffset;
            assertThat((double) s).as("scalar vs exact, " + where).isCloseTo(exact, org.assertj.core.data.Offset.offset(tolerance));
            assertThat((double) v).as("vector vs scalar, " + where).isCloseTo(s, org.assertj.core.data.Offset.offset(tolerance));
            assertThat((double) tensor.dot(offset, x, xOffset, length)).as("dispatch, " + where)
                    .isCloseTo(s, org.assertj.core.data.Offset.offset(tolerance));
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void dequantizeAgreesWithGetFloatAtAnyOffset(GgmlType type) {
        Random random = new Random(7 + type.id());
        int n = Math.max(type.blockSize(), 32) * 4;
        MemorySegment data = KernelTestSupport.quantized(type, KernelTestSupport.gaussian(random, n, 2f));
        FloatTensor tensor = FloatTensor.of(type, data, n);
        float[] all = new float[n + 3];
        tensor.dequantize(0, all, 3, n);
        for (int i = 0; i < n; i++) {
            assertThat(all[3 + i]).as(type + " element " + i).isEqualTo(tensor.getFloat(i));
        }
        float[] part = new float[n];
        int from = type.blockSize() > 1 ? type.blockSize() / 2 + 1 : 5;
        int length = n - from - 3;
        tensor.dequantize(from, part, 0, length);
        for (int i = 0; i < length; i++) {
            assertThat(part[i]).as(type + " element " + (from + i)).isEqualTo(all[3 + from + i]);
        }
    }

    /**
     * Vector dequantization (what {@code dequantize} runs) equals the scalar reference exactly where
     * both compute {@code q * scale}, and within 1e-6 relative where the vector path fuses
     * {@code q * d + m} into one FMA (types with a min).
     */
    @ParameterizedTest
    @MethodSource("types")
    void vectorDequantizeMatchesScalarReference(GgmlType type) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "vector kernels not available");
        KernelTestSupport.DequantizeKernel scalarKernel = KernelTestSupport.scalarDequantize(type);
        org.junit.jupiter.api.Assumptions.assumeTrue(scalarKernel != null, "no separate vector dequantization");
        boolean fused = switch (type) {
            case Q4_1, Q5_1, Q2_K, Q4_K, Q5_K -> true;
            default -> false;
        };
        Random random = new Random(3 + type.id());
        int n = Math.max(32, type.blockSize()) * 6;
        MemorySegment data = KernelTestSupport.quantized(type, KernelTestSupport.gaussian(random, n, 1f));
        FloatTensor tensor = FloatTensor.of(type, data, n);
        float[] scalar = new float[n + 5];
        float[] vector = new float[n + 5];
        int[][] ranges = {{0, n}, {Math.max(32, type.blockSize()), n - 2 * Math.max(32, type.blockSize())}, {3, n - 10}};
        for (int[] range : ranges) {
            scalarKernel.dequantize(data, range[0], scalar, 5, range[1]);
            tensor.dequantize(range[0], vector, 5, range[1]);
            for (int i = 0; i < range[1]; i++) {
                float tolerance = fused ? 1e-6f * (1 + Math.abs(scalar[5 + i])) : 0f;
                assertThat(vector[5 + i]).as(type + " at " + (range[0] + i))
                        .isCloseTo(scalar[5 + i], org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    @Test
    void f16VectorWideningIsExactForAllHalves() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.VECTOR, "vector kernels not available");
        short[] halves = new short[65536 + VectorShapes.LANES];
        for (int i = 0; i < 65536; i++) {
            halves[i] = (short) i;
        }
        MemorySegment data = MemorySegment.ofArray(halves);
        for (int i = 0; i < 65536; i += VectorShapes.LANES) {
            float[] widened = F16Tensor.Simd.widen(data, 2L * i).toArray();
            for (int lane = 0; lane < VectorShapes.LANES; lane++) {
                float expected = Float.float16ToFloat((short) (i + lane));
                assertThat(Float.floatToRawIntBits(widened[lane]))
                        .as("half 0x%04x", i + lane)
                        .isEqualTo(Float.isNaN(expected) ? Float.floatToRawIntBits(widened[lane]) : Float.floatToRawIntBits(expected));
                assertThat(Float.isNaN(widened[lane])).isEqualTo(Float.isNaN(expected));
            }
        }
    }

    @Test
    void ofRejectsWrongSizesAndUnsupportedTypes() {
        assertThatThrownBy(() -> FloatTensor.of(GgmlType.Q4_0, MemorySegment.ofArray(new byte[17]), 32))
                .isInstanceOf(EngineException.InvalidModelFile.class).hasMessageContaining("needs 18 bytes");
        assertThatThrownBy(() -> FloatTensor.of(GgmlType.IQ2_XXS, MemorySegment.ofArray(new byte[66]), 256))
                .isInstanceOf(EngineException.Unsupported.class).hasMessageContaining("IQ2_XXS");
        for (GgmlType type : KernelTestSupport.TYPES) {
            assertThat(FloatTensor.supports(type)).isTrue();
            assertThat(FloatTensor.of(type, MemorySegment.ofArray(new byte[type.typeSize() * 2]), type.blockSize() * 2L)
                    .type()).isEqualTo(type);
        }
    }

    @Test
    void blockLayoutConstantsMatchGgmlTypeSizes() {
        assertThat(Q8_0Tensor.TYPE_SIZE).isEqualTo(GgmlType.Q8_0.typeSize());
        assertThat(Q4_0Tensor.TYPE_SIZE).isEqualTo(GgmlType.Q4_0.typeSize());
        assertThat(Q4_1Tensor.TYPE_SIZE).isEqualTo(GgmlType.Q4_1.typeSize());
        assertThat(Q5_0Tensor.TYPE_SIZE).isEqualTo(GgmlType.Q5_0.typeSize());
        assertThat(Q5_1Tensor.TYPE_SIZE).isEqualTo(GgmlType.Q5_1.typeSize());
        assertThat(Q2_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q2_K.typeSize()).isEqualTo(Q2_KTensor.DMIN_OFFSET + 2);
        assertThat(Q3_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q3_K.typeSize()).isEqualTo(Q3_KTensor.D_OFFSET + 2);
        assertThat(Q4_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q4_K.typeSize()).isEqualTo(Q4_KTensor.QS_OFFSET + 128);
        assertThat(Q5_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q5_K.typeSize()).isEqualTo(Q5_KTensor.QS_OFFSET + 128);
        assertThat(Q6_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q6_K.typeSize()).isEqualTo(Q6_KTensor.D_OFFSET + 2);
        assertThat(Q8_KTensor.TYPE_SIZE).isEqualTo(GgmlType.Q8_K.typeSize()).isEqualTo(Q8_KTensor.BSUMS_OFFSET + 32);
    }

    @Test
    void kernelsAreDescribed() {
        assertThat(FloatTensor.kernels()).matches("vector \\((8|16) x float\\)|scalar");
    }
}
