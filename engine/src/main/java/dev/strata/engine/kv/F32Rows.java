package dev.strata.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** Rows stored as floats, exactly as attention computed them. */
final class F32Rows extends RowStore {
    private final float[] data;

    F32Rows(int numSlots, int width) {
        super(KvCacheType.F32, numSlots, width);
        this.data = new float[Math.multiplyExact(numSlots, width)];
    }

    @Override
    public long sizeBytes() {
        return (long) data.length * Float.BYTES;
    }

    @Override
    public void write(int slot, float[] src, int srcOffset) {
        System.arraycopy(src, srcOffset, data, slot * width, width);
    }

    @Override
    public void read(int slot, float[] dst, int dstOffset) {
        System.arraycopy(data, slot * width, dst, dstOffset, width);
    }

    @Override
    public float dot(int slot, int offset, float[] x, int xOffset, int length) {
        int at = slot * width + offset;
        return KvVectors.VECTOR ? Simd.dot(data, at, x, xOffset, length) : scalarDot(data, at, x, xOffset, length);
    }

    @Override
    public void addScaled(int slot, int offset, float scale, float[] out, int outOffset, int length) {
        int at = slot * width + offset;
        if (KvVectors.VECTOR) {
            Simd.addScaled(data, at, scale, out, outOffset, length);
        } else {
            scalarAddScaled(data, at, scale, out, outOffset, length);
        }
    }

    @Override
    public void exportRows(int firstSlot, int count, ByteBuffer dst) {
        dst.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data, firstSlot * width, count * width);
        dst.position(dst.position() + count * width * Float.BYTES);
    }

    @Override
    public void importRows(int firstSlot, int count, ByteBuffer src) {
        src.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, firstSlot * width, count * width);
        src.position(src.position() + count * width * Float.BYTES);
    }

    static float scalarDot(float[] data, int at, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int j = 0; j < length; j++) {
            sum += data[at + j] * x[xOffset + j];
        }
        return sum;
    }

    static void scalarAddScaled(float[] data, int at, float scale, float[] out, int outOffset, int length) {
        for (int j = 0; j < length; j++) {
            out[outOffset + j] += scale * data[at + j];
        }
    }

    /** Vector kernels: LANES floats at a time (one accumulator, fma), the scalar reference for the tail. */
    static final class Simd {
        private Simd() {}

        static float dot(float[] data, int at, float[] x, int xOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            int body = length - length % lanes;
            if (body == 0) {
                return scalarDot(data, at, x, xOffset, length);
            }
            FloatVector acc = FloatVector.zero(KvVectors.Shapes.F);
            for (int j = 0; j < body; j += lanes) {
                acc = FloatVector.fromArray(KvVectors.Shapes.F, data, at + j)
                        .fma(FloatVector.fromArray(KvVectors.Shapes.F, x, xOffset + j), acc);
            }
            return KvVectors.Shapes.sum(acc) + scalarDot(data, at + body, x, xOffset + body, length - body);
        }

        static void addScaled(float[] data, int at, float scale, float[] out, int outOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            int body = length - length % lanes;
            FloatVector factor = FloatVector.broadcast(KvVectors.Shapes.F, scale);
            for (int j = 0; j < body; j += lanes) {
                FloatVector.fromArray(KvVectors.Shapes.F, data, at + j)
                        .fma(factor, FloatVector.fromArray(KvVectors.Shapes.F, out, outOffset + j))
                        .intoArray(out, outOffset + j);
            }
            scalarAddScaled(data, at + body, scale, out, outOffset + body, length - body);
        }
    }
}
