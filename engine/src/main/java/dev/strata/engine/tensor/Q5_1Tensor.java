package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q5_1}: 32 elements as fp16 scale {@code d}, fp16 minimum {@code m}, a 32-bit
 * little-endian mask {@code qh} of fifth bits and 16 bytes of low nibbles (byte {@code j}: element
 * {@code j} low, {@code j + 16} high); element = {@code d * q + m}. 24 bytes (6 bits per weight).
 */
final class Q5_1Tensor extends FloatTensor {
    static final int BLOCK_SIZE = 32;
    static final int TYPE_SIZE = 24;
    static final int D_OFFSET = 0;
    static final int M_OFFSET = 2;
    static final int QH_OFFSET = 4;
    static final int QS_OFFSET = 8;
    static final int HALF = BLOCK_SIZE / 2;

    private final MemorySegment data;

    Q5_1Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        int j = (int) (index % BLOCK_SIZE);
        int packed = LittleEndian.u8(data, block + QS_OFFSET + (j % HALF));
        int low = j < HALF ? packed & 0x0F : packed >>> 4;
        int q = low | (((LittleEndian.i32(data, block + QH_OFFSET) >>> j) & 1) << 4);
        return q * LittleEndian.f16(data, block + D_OFFSET) + LittleEndian.f16(data, block + M_OFFSET);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    @Override
    float blockSumCorrection(long offset, float[] corrections, int correctionOffset, int length) {
        return minimumDot(data, offset, corrections, correctionOffset, length);
    }

    /** {@code sum m_b * corrections[correctionOffset + b]} over the whole blocks of {@code [offset, offset + length)}. */
    static float minimumDot(MemorySegment data, long offset, float[] corrections, int correctionOffset, int length) {
        long block = offset / BLOCK_SIZE * TYPE_SIZE;
        int blocks = length / BLOCK_SIZE;
        float sum = 0f;
        for (int b = 0; b < blocks; b++, block += TYPE_SIZE) {
            sum += LittleEndian.f16(data, block + M_OFFSET) * corrections[correctionOffset + b];
        }
        return sum;
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
            float m = LittleEndian.f16(data, block + M_OFFSET);
            int qh = LittleEndian.i32(data, block + QH_OFFSET);
            for (int j = 0; j < HALF; j++) {
                int packed = LittleEndian.u8(data, block + QS_OFFSET + j);
                out[o + j] = ((packed & 0x0F) | (((qh >>> j) & 1) << 4)) * d + m;
                out[o + j + HALF] = ((packed >>> 4) | (((qh >>> (j + HALF)) & 1) << 4)) * d + m;
            }
        }
        for (int i = o - outOffset; i < length; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
    }

    /** Reference kernel: {@code d * sum(q * x) + m * sum(x)} per block. */
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
            int qh = LittleEndian.i32(data, block + QH_OFFSET);
            float qx = 0f;
            float xs = 0f;
            for (int j = 0; j < HALF; j++) {
                int packed = LittleEndian.u8(data, block + QS_OFFSET + j);
                int q0 = (packed & 0x0F) | (((qh >>> j) & 1) << 4);
                int q1 = (packed >>> 4) | (((qh >>> (j + HALF)) & 1) << 4);
                qx += q0 * x[xi + j] + q1 * x[xi + j + HALF];
                xs += x[xi + j] + x[xi + j + HALF];
            }
            sum += qx * LittleEndian.f16(data, block + D_OFFSET) + xs * LittleEndian.f16(data, block + M_OFFSET);
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** ggml's {@code quantize_row_q5_1_ref}: {@code d = (max - min) / 31}, {@code m = min}. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float v = src[s + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0f ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, block + D_OFFSET, d);
            LittleEndian.putF16(dst, block + M_OFFSET, min);
            int qh = 0;
            for (int j = 0; j < HALF; j++) {
                int x0 = ((int) ((src[s + j] - min) * id + 0.5f)) & 0xFF;
                int x1 = ((int) ((src[s + HALF + j] - min) * id + 0.5f)) & 0xFF;
                LittleEndian.putU8(dst, block + QS_OFFSET + j, (x0 & 0x0F) | ((x1 & 0x0F) << 4));
                qh |= ((x0 & 0x10) >>> 4) << j;
                qh |= ((x1 & 0x10) >>> 4) << (j + HALF);
            }
            dst.set(LittleEndian.I32, block + QH_OFFSET, qh);
        }
    }

    /** Vector kernel: as {@link Q5_0Tensor.Simd} with {@code q * d + m}. */
    static final class Simd {
        private static final int[] ELEMENT_INDEX = new int[BLOCK_SIZE];

        static {
            for (int i = 0; i < BLOCK_SIZE; i++) {
                ELEMENT_INDEX[i] = i;
            }
        }

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
                FloatVector m = FloatVector.broadcast(VectorShapes.F, LittleEndian.f16(data, block + M_OFFSET));
                IntVector qh = IntVector.broadcast(VectorShapes.I, LittleEndian.i32(data, block + QH_OFFSET));
                for (int j = 0; j < HALF; j += lanes) {
                    ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, block + QS_OFFSET + j,
                            VectorShapes.LE);
                    FloatVector lo = combine(packed.and((byte) 0x0F), qh, j);
                    FloatVector hi = combine(packed.lanewise(VectorOperators.LSHR, 4), qh, j + HALF);
                    acc0 = lo.fma(d, m).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j), acc0);
                    acc1 = hi.fma(d, m).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j + HALF), acc1);
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
                FloatVector m = FloatVector.broadcast(VectorShapes.F, LittleEndian.f16(data, block + M_OFFSET));
                IntVector qh = IntVector.broadcast(VectorShapes.I, LittleEndian.i32(data, block + QH_OFFSET));
                for (int j = 0; j < HALF; j += lanes) {
                    ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, block + QS_OFFSET + j,
                            VectorShapes.LE);
                    combine(packed.and((byte) 0x0F), qh, j).fma(d, m).intoArray(out, o + j);
                    combine(packed.lanewise(VectorOperators.LSHR, 4), qh, j + HALF).fma(d, m)
                            .intoArray(out, o + j + HALF);
                }
            }
        }

        private static FloatVector combine(ByteVector nibbles, IntVector qh, int first) {
            IntVector low = (IntVector) nibbles.convertShape(VectorOperators.B2I, VectorShapes.I, 0);
            IntVector high = qh.lanewise(VectorOperators.LSHR, IntVector.fromArray(VectorShapes.I, ELEMENT_INDEX, first))
                    .and(1).lanewise(VectorOperators.LSHL, 4);
            return (FloatVector) low.or(high).convert(VectorOperators.I2F, 0);
        }
    }
}
