package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q3_K}: 256 elements in 16 sub-blocks of 16. Layout: 32 bytes {@code hmask}
 * (high bits), 64 bytes {@code qs} (low 2 bits), 12 bytes of sixteen packed 6-bit scales, fp16
 * {@code d}. In each half {@code n} of 128 elements, element {@code 32j + w} takes bits {@code 2j, 2j+1}
 * of {@code qs[32n + w]} and bit {@code 4n + j} of {@code hmask[w]}; a clear high bit means minus 4.
 * Element = {@code d * (scale - 32) * q}. 110 bytes (3.4375 bits per weight).
 */
final class Q3_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 110;
    static final int HMASK_OFFSET = 0;
    static final int QS_OFFSET = 32;
    static final int SCALES_OFFSET = 96;
    static final int SCALES_BYTES = 12;
    static final int D_OFFSET = 108;
    static final int SUB_BLOCK = 16;

    private final MemorySegment data;

    Q3_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /**
     * Signed scale of sub-block {@code k} (0-15): low 4 bits from byte {@code k} (k &lt; 8) or the high
     * nibble of byte {@code k - 8}; high 2 bits from byte {@code 8 + k % 4} at bit {@code 2 * (k / 4)};
     * stored with an offset of 32.
     */
    static int scale(MemorySegment data, long scales, int k) {
        int low = k < 8 ? LittleEndian.u8(data, scales + k) & 0xF : LittleEndian.u8(data, scales + k - 8) >>> 4;
        int high = (LittleEndian.u8(data, scales + 8 + k % 4) >>> (2 * (k / 4))) & 3;
        return (low | (high << 4)) - 32;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        int i = (int) (index % BLOCK_SIZE);
        int half = i / 128;
        int j = (i % 128) / 32;
        int w = i % 32;
        int low = (LittleEndian.u8(data, block + QS_OFFSET + 32 * half + w) >>> (2 * j)) & 3;
        int high = (LittleEndian.u8(data, block + HMASK_OFFSET + w) >>> (4 * half + j)) & 1;
        int q = low - (high != 0 ? 0 : 4);
        return LittleEndian.f16(data, block + D_OFFSET) * scale(data, block + SCALES_OFFSET, 8 * half + 2 * j + w / 16) * q;
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
            float dAll = LittleEndian.f16(data, block + D_OFFSET);
            for (int half = 0; half < 2; half++) {
                long qs = block + QS_OFFSET + 32 * half;
                for (int j = 0; j < 4; j++) {
                    int bit = 4 * half + j;
                    for (int part = 0; part < 2; part++) {
                        float dl = dAll * scale(data, block + SCALES_OFFSET, 8 * half + 2 * j + part);
                        int y = o + 128 * half + 32 * j + 16 * part;
                        for (int l = 0; l < SUB_BLOCK; l++) {
                            int w = 16 * part + l;
                            int low = (LittleEndian.u8(data, qs + w) >>> (2 * j)) & 3;
                            int high = (LittleEndian.u8(data, block + HMASK_OFFSET + w) >>> bit) & 1;
                            out[y + l] = dl * (low - (high != 0 ? 0 : 4));
                        }
                    }
                }
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
            float dAll = LittleEndian.f16(data, block + D_OFFSET);
            for (int half = 0; half < 2; half++) {
                long qs = block + QS_OFFSET + 32 * half;
                for (int j = 0; j < 4; j++) {
                    int bit = 4 * half + j;
                    for (int part = 0; part < 2; part++) {
                        int y = xi + 128 * half + 32 * j + 16 * part;
                        float qx = 0f;
                        for (int l = 0; l < SUB_BLOCK; l++) {
                            int w = 16 * part + l;
                            int low = (LittleEndian.u8(data, qs + w) >>> (2 * j)) & 3;
                            int high = (LittleEndian.u8(data, block + HMASK_OFFSET + w) >>> bit) & 1;
                            qx += (low - (high != 0 ? 0 : 4)) * x[y + l];
                        }
                        sum += dAll * scale(data, block + SCALES_OFFSET, 8 * half + 2 * j + part) * qx;
                    }
                }
            }
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * ggml's {@code quantize_row_q3_K_ref}: per sub-block {@link ScaleSearch#makeQ3Quants}, signed
     * 6-bit scales against the largest magnitude, levels recomputed with the stored scales.
     */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        byte[] levels = new byte[BLOCK_SIZE];
        float[] scales = new float[BLOCK_SIZE / SUB_BLOCK];
        int[] packed = new int[SCALES_BYTES];
        int[] hmask = new int[BLOCK_SIZE / 8];
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                scales[j] = ScaleSearch.makeQ3Quants(SUB_BLOCK, 4, src, s + SUB_BLOCK * j, levels, SUB_BLOCK * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(packed, 0);
            if (maxScale != 0) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                    int l = (byte) ScaleSearch.nearestInt(iscale * scales[j]);
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) {
                        packed[j] = l & 0xF;
                    } else {
                        packed[j - 8] |= (l & 0xF) << 4;
                    }
                    l >>= 4;
                    packed[j % 4 + 8] |= l << (2 * (j / 4));
                }
                LittleEndian.putF16(dst, block + D_OFFSET, 1 / iscale);
            } else {
                LittleEndian.putF16(dst, block + D_OFFSET, 0.f);
            }
            for (int k = 0; k < SCALES_BYTES; k++) {
                LittleEndian.putU8(dst, block + SCALES_OFFSET + k, packed[k]);
            }
            float dAll = LittleEndian.f16(dst, block + D_OFFSET);
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                float d = dAll * scale(dst, block + SCALES_OFFSET, j);
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < SUB_BLOCK; ++ii) {
                    int l = ScaleSearch.nearestInt(src[s + SUB_BLOCK * j + ii] / d);
                    levels[SUB_BLOCK * j + ii] = (byte) (Math.max(-4, Math.min(3, l)) + 4);
                }
            }
            java.util.Arrays.fill(hmask, 0);
            int m = 0;
            int hm = 1;
            for (int j = 0; j < BLOCK_SIZE; ++j) {
                if (levels[j] > 3) {
                    hmask[m] |= hm;
                    levels[j] -= 4;
                }
                if (++m == BLOCK_SIZE / 8) {
                    m = 0;
                    hm <<= 1;
                }
            }
            for (int k = 0; k < BLOCK_SIZE / 8; k++) {
                LittleEndian.putU8(dst, block + HMASK_OFFSET + k, hmask[k]);
            }
            for (int j = 0; j < BLOCK_SIZE; j += 128) {
                for (int l = 0; l < 32; ++l) {
                    LittleEndian.putU8(dst, block + QS_OFFSET + j / 4 + l, levels[j + l] | (levels[j + l + 32] << 2)
                            | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
                }
            }
        }
    }

    /** Vector kernel: low bits and the high-mask bit combined in byte lanes, two accumulators. */
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
                float dAll = LittleEndian.f16(data, block + D_OFFSET);
                long scales = block + SCALES_OFFSET;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector hmask = ByteVector.fromMemorySegment(VectorShapes.B, data, block + HMASK_OFFSET + l,
                            VectorShapes.LE);
                    int part = l / 16;
                    for (int half = 0; half < 2; half++) {
                        ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data,
                                block + QS_OFFSET + 32 * half + l, VectorShapes.LE);
                        for (int j = 0; j < 4; j += 2) {
                            FloatVector q0 = widen(codes(packed, hmask, j, 4 * half + j));
                            FloatVector q1 = widen(codes(packed, hmask, j + 1, 4 * half + j + 1));
                            int y = xi + 128 * half + 32 * j + l;
                            acc0 = q0.mul(dAll * scale(data, scales, 8 * half + 2 * j + part))
                                    .fma(FloatVector.fromArray(VectorShapes.F, x, y), acc0);
                            acc1 = q1.mul(dAll * scale(data, scales, 8 * half + 2 * j + 2 + part))
                                    .fma(FloatVector.fromArray(VectorShapes.F, x, y + 32), acc1);
                        }
                    }
                }
            }
            sum += acc0.add(acc1).reduceLanes(VectorOperators.ADD);
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
                float dAll = LittleEndian.f16(data, block + D_OFFSET);
                for (int half = 0; half < 2; half++) {
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += lanes) {
                            ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data,
                                    block + QS_OFFSET + 32 * half + l, VectorShapes.LE);
                            ByteVector hmask = ByteVector.fromMemorySegment(VectorShapes.B, data,
                                    block + HMASK_OFFSET + l, VectorShapes.LE);
                            float scale = dAll * scale(data, block + SCALES_OFFSET, 8 * half + 2 * j + l / 16);
                            widen(codes(packed, hmask, j, 4 * half + j)).mul(scale)
                                    .intoArray(out, o + 128 * half + 32 * j + l);
                        }
                    }
                }
            }
        }

        /** {@code ((qs >> 2j) & 3) | (bit(hmask, bit) << 2) - 4} per byte lane. */
        private static ByteVector codes(ByteVector packed, ByteVector hmask, int j, int bit) {
            ByteVector low = packed.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
            ByteVector high = hmask.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 2);
            return low.or(high).sub((byte) 4);
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
