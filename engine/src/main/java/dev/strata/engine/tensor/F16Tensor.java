package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** IEEE 754 half-precision elements (ggml {@code GGML_TYPE_F16}), two bytes each, little-endian. */
final class F16Tensor extends FloatTensor {
    static final int BYTES = 2;

    private final MemorySegment data;

    F16Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return LittleEndian.f16(data, index * BYTES);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    /**
     * The plain loop with either kernels: C2's auto-vectorizer turns {@code Float.float16ToFloat} over a
     * segment into {@code vcvtph2ps}, one instruction per sixteen halves, about twice the speed of
     * {@link Simd#widen}'s bit manipulation (17–18 against 8.7 GB/s of weights in L2, one thread);
     * the Vector API has no half-precision conversion.
     */
    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        scalarDequantize(data, offset, out, outOffset, length);
    }

    @Override
    boolean decodesByDequantizing() {
        return Kernels.VECTOR;
    }

    static void scalarDequantize(MemorySegment data, long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = LittleEndian.f16(data, (offset + i) * BYTES);
        }
    }

    static float scalarDot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += LittleEndian.f16(data, (offset + i) * BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Rounds each value to the nearest half (ties to even), as ggml's {@code GGML_FP32_TO_FP16}. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < length; i++) {
            LittleEndian.putF16(dst, dstOffset + (long) i * BYTES, src[srcOffset + i]);
        }
    }

    /**
     * Vector kernel. Halves are widened with integer arithmetic: the 15 magnitude bits shifted into
     * a float's exponent/mantissa position and multiplied by 2^112 give the exact value for normal
     * and subnormal halves; infinities and NaNs (exponent 31) get the all-ones float exponent.
     */
    static final class Simd {
        private static final float EXPONENT_REBIAS = 0x1p112f;

        private Simd() {}

        static float dot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
            final int lanes = VectorShapes.LANES;
            final int step = 2 * lanes;
            int body = length - length % step;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            long at = offset * BYTES;
            for (int i = 0; i < body; i += step, at += (long) step * BYTES) {
                acc0 = widen(data, at).fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i), acc0);
                acc1 = widen(data, at + (long) lanes * BYTES)
                        .fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + lanes), acc1);
            }
            float sum = VectorShapes.sum(acc0.add(acc1));
            return sum + scalarDot(data, offset + body, x, xOffset + body, length - body);
        }

        /** {@code LANES} halves at {@code byteOffset} as floats. */
        static FloatVector widen(MemorySegment data, long byteOffset) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorShapes.S, data, byteOffset, VectorShapes.LE)
                    .convertShape(VectorOperators.S2I, VectorShapes.I, 0);
            IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            IntVector bits = magnitude.reinterpretAsFloats().mul(EXPONENT_REBIAS).reinterpretAsInts();
            VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
            bits = bits.blend(magnitude.or(0x7F80_0000), special);
            return bits.or(sign).reinterpretAsFloats();
        }
    }
}
