package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16 elements (ggml {@code GGML_TYPE_BF16}): the high 16 bits of a float32, little-endian. */
final class BF16Tensor extends FloatTensor {
    static final int BYTES = 2;

    private final MemorySegment data;

    BF16Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public float getFloat(long index) {
        return LittleEndian.bf16(data, index * BYTES);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        if (Kernels.VECTOR) {
            Simd.dequantize(data, offset, out, outOffset, length);
        } else {
            scalarDequantize(data, offset, out, outOffset, length);
        }
    }

    static void scalarDequantize(MemorySegment data, long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = LittleEndian.bf16(data, (offset + i) * BYTES);
        }
    }

    static float scalarDot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += LittleEndian.bf16(data, (offset + i) * BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Rounds to bfloat16 as ggml does (nearest even, NaN stays quiet NaN). */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int i = 0; i < length; i++) {
            dst.set(LittleEndian.I16, dstOffset + (long) i * BYTES, LittleEndian.toBf16(src[srcOffset + i]));
        }
    }

    /** Vector kernel: shorts widened to ints and shifted into the high half. */
    static final class Simd {
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
            float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            return sum + scalarDot(data, offset + body, x, xOffset + body, length - body);
        }

        static void dequantize(MemorySegment data, long offset, float[] out, int outOffset, int length) {
            final int lanes = VectorShapes.LANES;
            int body = length - length % lanes;
            for (int i = 0; i < body; i += lanes) {
                widen(data, (offset + i) * BYTES).intoArray(out, outOffset + i);
            }
            scalarDequantize(data, offset + body, out, outOffset + body, length - body);
        }

        private static FloatVector widen(MemorySegment data, long byteOffset) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorShapes.S, data, byteOffset, VectorShapes.LE)
                    .convertShape(VectorOperators.S2I, VectorShapes.I, 0);
            return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
    }
}
