package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q8_0}: 32 elements as an fp16 scale {@code d} and 32 signed bytes {@code qs};
 * element {@code j} is {@code d * qs[j]}. 34 bytes per block (8.5 bits per weight).
 */
final class Q8_0Tensor extends FloatTensor {
    static final int BLOCK_SIZE = 32;
    static final int TYPE_SIZE = 34;
    static final int D_OFFSET = 0;
    static final int QS_OFFSET = 2;

    private final MemorySegment data;

    Q8_0Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        return LittleEndian.f16(data, block + D_OFFSET)
                * LittleEndian.i8(data, block + QS_OFFSET + index % BLOCK_SIZE);
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

    /** Reference dequantization, element by element in ggml's order. */
    static void scalarDequantize(MemorySegment data, long offset, float[] out, int outOffset, int length) {
        int head = headLength(offset, length, BLOCK_SIZE);
        for (int i = 0; i < head; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
        int o = outOffset + head;
        long block = (offset + head) / BLOCK_SIZE * TYPE_SIZE;
        int blocks = (length - head) / BLOCK_SIZE;
        for (int b = 0; b < blocks; b++, block += TYPE_SIZE, o += BLOCK_SIZE) {
            float d = LittleEndian.f16(data, block + D_OFFSET);
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[o + j] = d * LittleEndian.i8(data, block + QS_OFFSET + j);
            }
        }
        for (int i = o - outOffset; i < length; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
    }

    /** Reference kernel: per block, the integer-valued partial sum times the block scale. */
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
            sum += partial * LittleEndian.f16(data, block + D_OFFSET);
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** ggml's {@code quantize_row_q8_0_ref}: {@code d = amax / 127}, {@code q = roundf(x / d)}. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float amax = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                amax = Math.max(amax, Math.abs(src[s + j]));
            }
            float d = amax / 127;
            float id = d != 0f ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, block + D_OFFSET, d);
            for (int j = 0; j < BLOCK_SIZE; j++) {
                LittleEndian.putU8(dst, block + QS_OFFSET + j, ScaleSearch.roundAwayFromZero(src[s + j] * id));
            }
        }
    }

    /** Vector kernel: signed bytes widened to floats, two accumulators, one scale multiply per vector. */
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
                FloatVector d = FloatVector.broadcast(VectorShapes.F, LittleEndian.f16(data, block + D_OFFSET));
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

        /** Whole blocks with vectors; anything else with the scalar reference. */
        static void dequantize(MemorySegment data, long offset, float[] out, int outOffset, int length) {
            if (offset % BLOCK_SIZE != 0 || length % BLOCK_SIZE != 0) {
                scalarDequantize(data, offset, out, outOffset, length);
                return;
            }
            final int lanes = VectorShapes.LANES;
            long block = offset / BLOCK_SIZE * TYPE_SIZE;
            for (int o = outOffset; o < outOffset + length; o += BLOCK_SIZE, block += TYPE_SIZE) {
                FloatVector d = FloatVector.broadcast(VectorShapes.F, LittleEndian.f16(data, block + D_OFFSET));
                for (int j = 0; j < BLOCK_SIZE; j += lanes) {
                    widen(data, block + QS_OFFSET + j).mul(d).intoArray(out, o + j);
                }
            }
        }

        private static FloatVector widen(MemorySegment data, long byteOffset) {
            return (FloatVector) ByteVector.fromMemorySegment(VectorShapes.B, data, byteOffset, VectorShapes.LE)
                    .convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
