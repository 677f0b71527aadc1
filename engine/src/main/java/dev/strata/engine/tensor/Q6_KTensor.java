package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q6_K}: 256 elements in 16 sub-blocks of 16, each with a signed 8-bit scale.
 * Layout: 128 bytes {@code ql} (low 4 bits), 64 bytes {@code qh} (high 2 bits), 16 bytes of scales,
 * fp16 {@code d}. In each half of 128 elements, element {@code l + 32k} ({@code l < 32}, {@code k < 4})
 * takes its low bits from {@code ql[l]} (k = 0: low nibble, k = 2: high) or {@code ql[l + 32]}
 * (k = 1, 3) and its high bits from bits {@code 2k, 2k + 1} of {@code qh[l]}; element =
 * {@code d * scale * (q - 32)}. 210 bytes (6.5625 bits per weight).
 */
final class Q6_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 210;
    static final int QL_OFFSET = 0;
    static final int QH_OFFSET = 128;
    static final int SCALES_OFFSET = 192;
    static final int D_OFFSET = 208;
    static final int SUB_BLOCK = 16;

    private final MemorySegment data;

    Q6_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        int i = (int) (index % BLOCK_SIZE);
        int half = i / 128;
        int k = (i % 128) / 32;
        int l = i % 32;
        int low = LittleEndian.u8(data, block + QL_OFFSET + 64 * half + l + 32 * (k & 1));
        low = k < 2 ? low & 0xF : low >>> 4;
        int high = (LittleEndian.u8(data, block + QH_OFFSET + 32 * half + l) >>> (2 * k)) & 3;
        int scale = LittleEndian.i8(data, block + SCALES_OFFSET + 8 * half + l / 16 + 2 * k);
        return LittleEndian.f16(data, block + D_OFFSET) * scale * ((low | (high << 4)) - 32);
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
            for (int half = 0; half < 2; half++) {
                long ql = block + QL_OFFSET + 64 * half;
                long qh = block + QH_OFFSET + 32 * half;
                long sc = block + SCALES_OFFSET + 8 * half;
                int y = o + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = LittleEndian.u8(data, ql + l);
                    int c = LittleEndian.u8(data, ql + l + 32);
                    int h = LittleEndian.u8(data, qh + l);
                    out[y + l] = d * LittleEndian.i8(data, sc + is) * (((a & 0xF) | ((h & 3) << 4)) - 32);
                    out[y + l + 32] = d * LittleEndian.i8(data, sc + is + 2) * (((c & 0xF) | (((h >>> 2) & 3) << 4)) - 32);
                    out[y + l + 64] = d * LittleEndian.i8(data, sc + is + 4) * (((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32);
                    out[y + l + 96] = d * LittleEndian.i8(data, sc + is + 6) * (((c >>> 4) | ((h >>> 6) << 4)) - 32);
                }
            }
        }
        for (int i = o - outOffset; i < length; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
    }

    /** Reference kernel: per sub-block of 16, {@code d * scale * sum((q - 32) * x)}. */
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
            float d = LittleEndian.f16(data, block + D_OFFSET);
            for (int half = 0; half < 2; half++) {
                long ql = block + QL_OFFSET + 64 * half;
                long qh = block + QH_OFFSET + 32 * half;
                long sc = block + SCALES_OFFSET + 8 * half;
                int y = xi + 128 * half;
                for (int is = 0; is < 2; is++) {
                    float s1 = 0f;
                    float s2 = 0f;
                    float s3 = 0f;
                    float s4 = 0f;
                    for (int l = 16 * is; l < 16 * is + 16; l++) {
                        int a = LittleEndian.u8(data, ql + l);
                        int c = LittleEndian.u8(data, ql + l + 32);
                        int h = LittleEndian.u8(data, qh + l);
                        s1 += (((a & 0xF) | ((h & 3) << 4)) - 32) * x[y + l];
                        s2 += (((c & 0xF) | (((h >>> 2) & 3) << 4)) - 32) * x[y + l + 32];
                        s3 += (((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32) * x[y + l + 64];
                        s4 += (((c >>> 4) | ((h >>> 6) << 4)) - 32) * x[y + l + 96];
                    }
                    sum += d * (LittleEndian.i8(data, sc + is) * s1 + LittleEndian.i8(data, sc + is + 2) * s2
                            + LittleEndian.i8(data, sc + is + 4) * s3 + LittleEndian.i8(data, sc + is + 6) * s4);
                }
            }
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * ggml's {@code quantize_row_q6_K_ref}: per sub-block {@link ScaleSearch#makeQxQuants} (32
     * levels each side, x^2 weights), scales quantized to int8 against the largest, levels recomputed.
     */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        byte[] levels = new byte[BLOCK_SIZE];
        float[] scales = new float[BLOCK_SIZE / SUB_BLOCK];
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < BLOCK_SIZE / SUB_BLOCK; ++ib) {
                float scale = ScaleSearch.makeQxQuants(SUB_BLOCK, 32, src, s + SUB_BLOCK * ib, levels, SUB_BLOCK * ib, 1);
                scales[ib] = scale;
                float absScale = Math.abs(scale);
                if (absScale > maxAbsScale) {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
                dst.asSlice(block, TYPE_SIZE).fill((byte) 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            LittleEndian.putF16(dst, block + D_OFFSET, 1 / iscale);
            for (int ib = 0; ib < BLOCK_SIZE / SUB_BLOCK; ++ib) {
                LittleEndian.putU8(dst, block + SCALES_OFFSET + ib, Math.min(127, ScaleSearch.nearestInt(iscale * scales[ib])));
            }
            float dAll = LittleEndian.f16(dst, block + D_OFFSET);
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                float d = dAll * LittleEndian.i8(dst, block + SCALES_OFFSET + j);
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < SUB_BLOCK; ++ii) {
                    int l = ScaleSearch.nearestInt(src[s + SUB_BLOCK * j + ii] / d);
                    levels[SUB_BLOCK * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                }
            }
            for (int j = 0; j < BLOCK_SIZE; j += 128) {
                long ql = block + QL_OFFSET + j / 2;
                long qh = block + QH_OFFSET + j / 4;
                for (int l = 0; l < 32; ++l) {
                    int q1 = levels[j + l] & 0xF;
                    int q2 = levels[j + l + 32] & 0xF;
                    int q3 = levels[j + l + 64] & 0xF;
                    int q4 = levels[j + l + 96] & 0xF;
                    LittleEndian.putU8(dst, ql + l, q1 | (q3 << 4));
                    LittleEndian.putU8(dst, ql + l + 32, q2 | (q4 << 4));
                    LittleEndian.putU8(dst, qh + l, (levels[j + l] >> 4) | ((levels[j + l + 32] >> 4) << 2)
                            | ((levels[j + l + 64] >> 4) << 4) | ((levels[j + l + 96] >> 4) << 6));
                }
            }
        }
    }

    /**
     * Vector kernel: per half and quarter {@code k}, codes from a nibble of {@code ql} and two bits of
     * {@code qh}; one small loop body so that C2 keeps every vector in registers; two accumulators.
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
                float d = LittleEndian.f16(data, block + D_OFFSET);
                for (int half = 0; half < 2; half++) {
                    long scales = LittleEndian.i64(data, block + SCALES_OFFSET + 8 * half);
                    long qh = block + QH_OFFSET + 32 * half;
                    for (int k = 0; k < 2; k++) {
                        // quarters k and k + 2 share the ql bytes (low / high nibble) and the qh bytes
                        long ql = block + QL_OFFSET + 64 * half + 32 * k;
                        int y = xi + 128 * half + 32 * k;
                        for (int l = 0; l < 32; l += lanes) {
                            float sLo = d * (byte) (scales >>> (8 * (l / 16 + 2 * k)));
                            float sHi = d * (byte) (scales >>> (8 * (l / 16 + 2 * k + 4)));
                            IntVector packed = bytesAsInts(data, ql + l);
                            IntVector high = bytesAsInts(data, qh + l).lanewise(VectorOperators.LSHR, 2 * k);
                            FloatVector lo = toFloats(packed.and(0x0F)
                                    .or(high.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32));
                            FloatVector hi = toFloats(packed.lanewise(VectorOperators.LSHR, 4).and(0x0F)
                                    .or(high.and(0x30)).sub(32));
                            acc0 = lo.mul(sLo).fma(FloatVector.fromArray(VectorShapes.F, x, y + l), acc0);
                            acc1 = hi.mul(sHi).fma(FloatVector.fromArray(VectorShapes.F, x, y + 64 + l), acc1);
                        }
                    }
                }
            }
            sum += VectorShapes.sum(acc0.add(acc1));
            if (body < length) {
                sum += scalarDot(data, offset + body, x, xOffset + body, length - body);
            }
            return sum;
        }

        /** Six-bit codes minus 32: a nibble of {@code ql} and two bits of {@code qh}. */
        private static FloatVector codes(MemorySegment data, long ql, long qh, int shift, int highShift) {
            ByteVector low = ByteVector.fromMemorySegment(VectorShapes.B, data, ql, VectorShapes.LE)
                    .lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F);
            ByteVector high = ByteVector.fromMemorySegment(VectorShapes.B, data, qh, VectorShapes.LE)
                    .lanewise(VectorOperators.LSHR, highShift).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
            return widen(low.or(high).sub((byte) 32));
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
                float d = LittleEndian.f16(data, block + D_OFFSET);
                for (int half = 0; half < 2; half++) {
                    long scales = LittleEndian.i64(data, block + SCALES_OFFSET + 8 * half);
                    long qh = block + QH_OFFSET + 32 * half;
                    for (int k = 0; k < 4; k++) {
                        long ql = block + QL_OFFSET + 64 * half + 32 * (k & 1);
                        int shift = 4 * (k >> 1);
                        int y = o + 128 * half + 32 * k;
                        for (int l = 0; l < 32; l += lanes) {
                            float scale = d * (byte) (scales >>> (8 * (l / 16 + 2 * k)));
                            codes(data, ql + l, qh + l, shift, 2 * k).mul(scale).intoArray(out, y + l);
                        }
                    }
                }
            }
        }

        /** {@code LANES} bytes at {@code byteOffset}, sign-extended to ints (shifts and masks are cheaper on ints). */
        private static IntVector bytesAsInts(MemorySegment data, long byteOffset) {
            return (IntVector) ByteVector.fromMemorySegment(VectorShapes.B, data, byteOffset, VectorShapes.LE)
                    .convertShape(VectorOperators.B2I, VectorShapes.I, 0);
        }

        private static FloatVector toFloats(IntVector ints) {
            return (FloatVector) ints.convert(VectorOperators.I2F, 0);
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
