package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q8_K}, the activation type of the K-quants: 256 elements as a float32 scale
 * {@code d}, 256 signed bytes {@code qs} and 16 int16 sums of each group of 16 codes
 * ({@code bsums}); element = {@code d * qs[j]}. 292 bytes.
 */
final class Q8_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 292;
    static final int D_OFFSET = 0;
    static final int QS_OFFSET = 4;
    static final int BSUMS_OFFSET = 260;
    static final int GROUP = 16;

    private final MemorySegment data;

    Q8_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        return LittleEndian.f32(data, block + D_OFFSET) * LittleEndian.i8(data, block + QS_OFFSET + index % BLOCK_SIZE);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
    }

    static float scalarDot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
        int head = headLength(offset, length, BLOCK_SIZE);
        float sum = 0f;
        for (int i = 0; i < head; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        int xi = xOffset + head;
        long block = (offset + head) / BLOCK_SIZE * TYPE_SIZE;
        int blocks = (length - head) / BLOCK_SIZE;
        for (int b = 0; b < blocks; b++, block += TYPE_SIZE, xi += BLOCK_SIZE) {
            float partial = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                partial += LittleEndian.i8(data, block + QS_OFFSET + j) * x[xi + j];
            }
            sum += partial * LittleEndian.f32(data, block + D_OFFSET);
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** ggml's {@code quantize_row_q8_K_ref}: {@code iscale = -127 / max}, codes capped at 127, group sums. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < BLOCK_SIZE; ++j) {
                float ax = Math.abs(src[s + j]);
                if (ax > amax) {
                    amax = ax;
                    max = src[s + j];
                }
            }
            if (amax == 0) {
                dst.asSlice(block, TYPE_SIZE).fill((byte) 0);
                continue;
            }
            float iscale = -127.f / max;
            for (int g = 0; g < BLOCK_SIZE / GROUP; ++g) {
                int sum = 0;
                for (int ii = 0; ii < GROUP; ++ii) {
                    int v = Math.min(127, ScaleSearch.nearestInt(iscale * src[s + g * GROUP + ii]));
                    LittleEndian.putU8(dst, block + QS_OFFSET + g * GROUP + ii, v);
                    sum += v;
                }
                dst.set(LittleEndian.I16, block + BSUMS_OFFSET + 2L * g, (short) sum);
            }
            dst.set(LittleEndian.F32, block + D_OFFSET, 1 / iscale);
        }
    }

    /** Vector kernel: as {@link Q8_0Tensor.Simd} over blocks of 256 with a float32 scale. */
    static final class Simd {
        private Simd() {}

        static float dot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
            int head = headLength(offset, length, BLOCK_SIZE);
            int blocks = (length - head) / BLOCK_SIZE;
            int body = head + blocks * BLOCK_SIZE;
            float sum = head == 0 ? 0f : scalarDot(data, offset, x, xOffset, head);
            final int lanes = VectorShapes.LANES;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            int xi = xOffset + head;
            long block = (offset + head) / BLOCK_SIZE * TYPE_SIZE;
            for (int b = 0; b < blocks; b++, block += TYPE_SIZE, xi += BLOCK_SIZE) {
                FloatVector d = FloatVector.broadcast(VectorShapes.F, LittleEndian.f32(data, block + D_OFFSET));
                for (int j = 0; j < BLOCK_SIZE; j += 2 * lanes) {
                    FloatVector q0 = widen(data, block + QS_OFFSET + j);
                    FloatVector q1 = widen(data, block + QS_OFFSET + j + lanes);
                    acc0 = q0.mul(d).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j), acc0);
                    acc1 = q1.mul(d).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j + lanes), acc1);
                }
            }
            sum += VectorShapes.sum(acc0.add(acc1));
            if (body < length) {
                sum += scalarDot(data, offset + body, x, xOffset + body, length - body);
            }
            return sum;
        }

        private static FloatVector widen(MemorySegment data, long byteOffset) {
            return (FloatVector) ByteVector.fromMemorySegment(VectorShapes.B, data, byteOffset, VectorShapes.LE)
                    .convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
