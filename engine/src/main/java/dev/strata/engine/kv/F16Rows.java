package dev.strata.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** Rows stored as IEEE 754 half-precision values (round to nearest even on write), two bytes each. */
final class F16Rows extends RowStore {
    private final short[] data;

    F16Rows(int numSlots, int width) {
        super(KvCacheType.F16, numSlots, width);
        this.data = new short[Math.multiplyExact(numSlots, width)];
    }

    /** The backing array, for the kernel tests. */
    short[] data() {
        return data;
    }

    @Override
    public long sizeBytes() {
        return (long) data.length * Short.BYTES;
    }

    @Override
    public void write(int slot, float[] src, int srcOffset) {
        int at = slot * width;
        for (int j = 0; j < width; j++) {
            data[at + j] = Float.floatToFloat16(src[srcOffset + j]);
        }
    }

    @Override
    public void read(int slot, float[] dst, int dstOffset) {
        int at = slot * width;
        for (int j = 0; j < width; j++) {
            dst[dstOffset + j] = Float.float16ToFloat(data[at + j]);
        }
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
        dst.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(data, firstSlot * width, count * width);
        dst.position(dst.position() + count * width * Short.BYTES);
    }

    @Override
    public void importRows(int firstSlot, int count, ByteBuffer src) {
        src.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(data, firstSlot * width, count * width);
        src.position(src.position() + count * width * Short.BYTES);
    }

    static float scalarDot(short[] data, int at, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int j = 0; j < length; j++) {
            sum += Float.float16ToFloat(data[at + j]) * x[xOffset + j];
        }
        return sum;
    }

    static void scalarAddScaled(short[] data, int at, float scale, float[] out, int outOffset, int length) {
        for (int j = 0; j < length; j++) {
            out[outOffset + j] += scale * Float.float16ToFloat(data[at + j]);
        }
    }

    /** Vector kernels: halves widened LANES at a time, the scalar reference for the tail. */
    static final class Simd {
        private Simd() {}

        static float dot(short[] data, int at, float[] x, int xOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            int body = length - length % lanes;
            if (body == 0) {
                return scalarDot(data, at, x, xOffset, length);
            }
            FloatVector acc = FloatVector.zero(KvVectors.Shapes.F);
            for (int j = 0; j < body; j += lanes) {
                acc = KvVectors.Shapes.widenHalves(data, at + j)
                        .fma(FloatVector.fromArray(KvVectors.Shapes.F, x, xOffset + j), acc);
            }
            return KvVectors.Shapes.sum(acc) + scalarDot(data, at + body, x, xOffset + body, length - body);
        }

        static void addScaled(short[] data, int at, float scale, float[] out, int outOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            int body = length - length % lanes;
            FloatVector factor = FloatVector.broadcast(KvVectors.Shapes.F, scale);
            for (int j = 0; j < body; j += lanes) {
                KvVectors.Shapes.widenHalves(data, at + j)
                        .fma(factor, FloatVector.fromArray(KvVectors.Shapes.F, out, outOffset + j))
                        .intoArray(out, outOffset + j);
            }
            scalarAddScaled(data, at + body, scale, out, outOffset + body, length - body);
        }
    }
}
