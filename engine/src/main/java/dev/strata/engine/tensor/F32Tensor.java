package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Plain little-endian float32 elements (ggml {@code GGML_TYPE_F32}). */
final class F32Tensor extends FloatTensor {
    static final int BYTES = Float.BYTES;

    private final MemorySegment data;

    F32Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return LittleEndian.f32(data, index * BYTES);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        MemorySegment.copy(data, LittleEndian.F32, offset * BYTES, out, outOffset, length);
    }

    /** Reference kernel: one element at a time, one accumulator. */
    static float scalarDot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += LittleEndian.f32(data, (offset + i) * BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Dot product of two float arrays with the selected kernels. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(a, aOffset, b, bOffset, length) : scalarDot(a, aOffset, b, bOffset, length);
    }

    static float scalarDot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** Stores {@code src} as float32. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(src, srcOffset, dst, LittleEndian.F32, dstOffset, length);
    }

    /** Vector kernel: four accumulators over {@code 4 * LANES} elements, scalar tail. */
    static final class Simd {
        private Simd() {}

        static float dot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            long at = offset * BYTES;
            for (int i = 0; i < body; i += step, at += (long) step * BYTES) {
                acc0 = load(data, at).fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i), acc0);
                acc1 = load(data, at + lanes * BYTES).fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + lanes), acc1);
                acc2 = load(data, at + 2 * lanes * BYTES)
                        .fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + 2 * lanes), acc2);
                acc3 = load(data, at + 3 * lanes * BYTES)
                        .fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + 3 * lanes), acc3);
            }
            float sum = VectorShapes.sum(acc0.add(acc1).add(acc2.add(acc3)));
            return sum + scalarDot(data, offset + body, x, xOffset + body, length - body);
        }

        static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int i = 0; i < body; i += step) {
                acc0 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i), acc0);
                acc1 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + lanes), acc1);
                acc2 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + 2 * lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + 2 * lanes), acc2);
                acc3 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + 3 * lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + 3 * lanes), acc3);
            }
            float sum = VectorShapes.sum(acc0.add(acc1).add(acc2.add(acc3)));
            return sum + scalarDot(a, aOffset + body, b, bOffset + body, length - body);
        }

        private static FloatVector load(MemorySegment data, long byteOffset) {
            return FloatVector.fromMemorySegment(VectorShapes.F, data, byteOffset, VectorShapes.LE);
        }
    }
}
