package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q4_0}: 32 elements as an fp16 scale {@code d} and 16 bytes of nibbles; byte
 * {@code j} holds element {@code j} in its low nibble and element {@code j + 16} in its high nibble,
 * each stored with an offset of 8: element = {@code d * (nibble - 8)}. 18 bytes (4.5 bits per weight).
 */
final class Q4_0Tensor extends FloatTensor {
    static final int BLOCK_SIZE = 32;
    static final int TYPE_SIZE = 18;
    static final int D_OFFSET = 0;
    static final int QS_OFFSET = 2;
    static final int HALF = BLOCK_SIZE / 2;

    private final MemorySegment data;

    Q4_0Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        int j = (int) (index % BLOCK_SIZE);
        int packed = LittleEndian.u8(data, block + QS_OFFSET + (j % HALF));
        int q = j < HALF ? packed & 0x0F : packed >>> 4;
        return LittleEndian.f16(data, block + D_OFFSET) * (q - 8);
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
            for (int j = 0; j < HALF; j++) {
                int packed = LittleEndian.u8(data, block + QS_OFFSET + j);
                out[o + j] = ((packed & 0x0F) - 8) * d;
                out[o + j + HALF] = ((packed >>> 4) - 8) * d;
            }
        }
        for (int i = o - outOffset; i < length; i++) {
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
            for (int j = 0; j < HALF; j++) {
                int packed = LittleEndian.u8(data, block + QS_OFFSET + j);
                partial += ((packed & 0x0F) - 8) * x[xi + j] + ((packed >>> 4) - 8) * x[xi + j + HALF];
            }
            sum += partial * LittleEndian.f16(data, block + D_OFFSET);
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** ggml's {@code quantize_row_q4_0_ref}: {@code d = max / -8} where max has the largest magnitude. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float v = src[s + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0f ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, block + D_OFFSET, d);
            for (int j = 0; j < HALF; j++) {
                int x0 = Math.min(15, (byte) (int) (src[s + j] * id + 8.5f));
                int x1 = Math.min(15, (byte) (int) (src[s + HALF + j] * id + 8.5f));
                LittleEndian.putU8(dst, block + QS_OFFSET + j, x0 | (x1 << 4));
            }
        }
    }

    /**
     * Vector kernels. {@link #dot}: the block's bytes sign-extended to int lanes in one load, the
     * nibbles split there with a mask and a shift (x86 has no byte-lane shifts: a shift on byte lanes
     * costs several instructions), converted to floats, two accumulators. A variant that looked the
     * nibbles up in a 16-entry table ({@code selectFrom}, one {@code vpermd}) and scaled each block
     * once was 10 % faster on in-cache rows but 20 % slower in the engine's decode (not understood;
     * docs/benchmarks.md), so it was not kept.
     */
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
                float scale = LittleEndian.f16(data, block + D_OFFSET);
                FloatVector d = FloatVector.broadcast(VectorShapes.F, scale);
                FloatVector offset8 = FloatVector.broadcast(VectorShapes.F, -8 * scale); // (q - 8) d = q d - 8 d
                for (int j = 0; j < HALF; j += lanes) {
                    IntVector packed = (IntVector) ByteVector.fromMemorySegment(VectorShapes.B, data,
                            block + QS_OFFSET + j, VectorShapes.LE).convertShape(VectorOperators.B2I, VectorShapes.I, 0);
                    FloatVector lo = (FloatVector) packed.and(0x0F).convert(VectorOperators.I2F, 0);
                    FloatVector hi = (FloatVector) packed.lanewise(VectorOperators.ASHR, 4).and(0x0F)
                            .convert(VectorOperators.I2F, 0);
                    acc0 = lo.fma(d, offset8).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j), acc0);
                    acc1 = hi.fma(d, offset8).fma(FloatVector.fromArray(VectorShapes.F, x, xi + j + HALF), acc1);
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
                for (int j = 0; j < HALF; j += lanes) {
                    ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, block + QS_OFFSET + j,
                            VectorShapes.LE);
                    widen(packed.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(out, o + j);
                    widen(packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoArray(out, o + j + HALF);
                }
            }
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
