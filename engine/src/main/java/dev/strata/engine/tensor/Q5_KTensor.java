package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q5_K}: 256 elements in 8 sub-blocks of 32. Layout: fp16 {@code d}, fp16
 * {@code dmin}, 12 bytes of six-bit scales and mins (packed as in {@link Q4_KTensor}), 32 bytes
 * {@code qh} of fifth bits, 128 bytes {@code qs} of low nibbles. Element {@code l} of sub-block
 * {@code 2k} (resp. {@code 2k + 1}) is the low (high) nibble of {@code qs[32k + l]} plus bit {@code 2k}
 * ({@code 2k + 1}) of {@code qh[l]} times 16. Element = {@code d * scale * q - dmin * min}.
 * 176 bytes (5.5 bits per weight).
 */
final class Q5_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 176;
    static final int D_OFFSET = 0;
    static final int DMIN_OFFSET = 2;
    static final int SCALES_OFFSET = 4;
    static final int SCALES_BYTES = 12;
    static final int QH_OFFSET = 16;
    static final int QS_OFFSET = 48;
    static final int SUB_BLOCK = 32;

    private final MemorySegment data;

    Q5_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public float getFloat(long index) {
        return element(data, index);
    }

    static float element(MemorySegment data, long index) {
        long block = (index / BLOCK_SIZE) * TYPE_SIZE;
        int i = (int) (index % BLOCK_SIZE);
        int pair = i / 64;
        int within = i % 64;
        int sub = 2 * pair + within / SUB_BLOCK;
        int l = within % SUB_BLOCK;
        int packed = LittleEndian.u8(data, block + QS_OFFSET + 32 * pair + l);
        int q = (within < SUB_BLOCK ? packed & 0xF : packed >>> 4)
                + (((LittleEndian.u8(data, block + QH_OFFSET + l) >>> sub) & 1) << 4);
        float d = LittleEndian.f16(data, block + D_OFFSET) * Q4_KTensor.scale(data, block + SCALES_OFFSET, sub);
        float m = LittleEndian.f16(data, block + DMIN_OFFSET) * Q4_KTensor.min(data, block + SCALES_OFFSET, sub);
        return d * q - m;
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
            float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
            long scales = block + SCALES_OFFSET;
            for (int pair = 0; pair < 4; pair++) {
                float d1 = d * Q4_KTensor.scale(data, scales, 2 * pair);
                float m1 = dmin * Q4_KTensor.min(data, scales, 2 * pair);
                float d2 = d * Q4_KTensor.scale(data, scales, 2 * pair + 1);
                float m2 = dmin * Q4_KTensor.min(data, scales, 2 * pair + 1);
                long qs = block + QS_OFFSET + 32 * pair;
                int y = o + 64 * pair;
                for (int l = 0; l < SUB_BLOCK; l++) {
                    int packed = LittleEndian.u8(data, qs + l);
                    int qh = LittleEndian.u8(data, block + QH_OFFSET + l);
                    out[y + l] = d1 * ((packed & 0xF) + (((qh >>> (2 * pair)) & 1) << 4)) - m1;
                    out[y + SUB_BLOCK + l] = d2 * ((packed >>> 4) + (((qh >>> (2 * pair + 1)) & 1) << 4)) - m2;
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
            float d = LittleEndian.f16(data, block + D_OFFSET);
            float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
            long scales = block + SCALES_OFFSET;
            for (int pair = 0; pair < 4; pair++) {
                long qs = block + QS_OFFSET + 32 * pair;
                int y = xi + 64 * pair;
                float qx1 = 0f;
                float qx2 = 0f;
                float xs1 = 0f;
                float xs2 = 0f;
                for (int l = 0; l < SUB_BLOCK; l++) {
                    int packed = LittleEndian.u8(data, qs + l);
                    int qh = LittleEndian.u8(data, block + QH_OFFSET + l);
                    qx1 += ((packed & 0xF) + (((qh >>> (2 * pair)) & 1) << 4)) * x[y + l];
                    qx2 += ((packed >>> 4) + (((qh >>> (2 * pair + 1)) & 1) << 4)) * x[y + SUB_BLOCK + l];
                    xs1 += x[y + l];
                    xs2 += x[y + SUB_BLOCK + l];
                }
                sum += d * Q4_KTensor.scale(data, scales, 2 * pair) * qx1 - dmin * Q4_KTensor.min(data, scales, 2 * pair) * xs1;
                sum += d * Q4_KTensor.scale(data, scales, 2 * pair + 1) * qx2
                        - dmin * Q4_KTensor.min(data, scales, 2 * pair + 1) * xs2;
            }
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /** ggml's {@code quantize_row_q5_K_ref}: as Q4_K with 31 levels and a 16-step search. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        byte[] levels = new byte[BLOCK_SIZE];
        byte[] aux = new byte[SUB_BLOCK];
        float[] weights = new float[SUB_BLOCK];
        float[] mins = new float[BLOCK_SIZE / SUB_BLOCK];
        float[] scales = new float[BLOCK_SIZE / SUB_BLOCK];
        byte[] packedScales = new byte[SCALES_BYTES];
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                float sumX2 = 0;
                for (int l = 0; l < SUB_BLOCK; ++l) {
                    sumX2 += src[s + SUB_BLOCK * j + l] * src[s + SUB_BLOCK * j + l];
                }
                float avX = (float) Math.sqrt(sumX2 / SUB_BLOCK);
                for (int l = 0; l < SUB_BLOCK; ++l) {
                    weights[l] = avX + Math.abs(src[s + SUB_BLOCK * j + l]);
                }
                scales[j] = ScaleSearch.makeQkx2Quants(SUB_BLOCK, 31, src, s + SUB_BLOCK * j, weights, levels,
                        SUB_BLOCK * j, mins, j, aux, -0.5f, 0.1f, 15, false);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            Q4_KTensor.packScalesAndMins(scales, mins, maxScale, maxMin, packedScales);
            MemorySegment.copy(packedScales, 0, dst, ValueLayout.JAVA_BYTE, block + SCALES_OFFSET, SCALES_BYTES);
            LittleEndian.putF16(dst, block + D_OFFSET, maxScale / 63.f);
            LittleEndian.putF16(dst, block + DMIN_OFFSET, maxMin / 63.f);
            float d = LittleEndian.f16(dst, block + D_OFFSET);
            float dmin = LittleEndian.f16(dst, block + DMIN_OFFSET);
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                float dj = d * Q4_KTensor.scale(dst, block + SCALES_OFFSET, j);
                if (dj == 0) {
                    continue;
                }
                float dm = dmin * Q4_KTensor.min(dst, block + SCALES_OFFSET, j);
                for (int ii = 0; ii < SUB_BLOCK; ++ii) {
                    int l = ScaleSearch.nearestInt((src[s + SUB_BLOCK * j + ii] + dm) / dj);
                    levels[SUB_BLOCK * j + ii] = (byte) Math.max(0, Math.min(31, l));
                }
            }
            int[] qh = new int[SUB_BLOCK];
            int m1 = 1;
            int m2 = 2;
            for (int n = 0; n < BLOCK_SIZE; n += 64) {
                for (int j = 0; j < 32; ++j) {
                    int l1 = levels[n + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        qh[j] |= m1;
                    }
                    int l2 = levels[n + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        qh[j] |= m2;
                    }
                    LittleEndian.putU8(dst, block + QS_OFFSET + n / 2 + j, l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            for (int j = 0; j < SUB_BLOCK; j++) {
                LittleEndian.putU8(dst, block + QH_OFFSET + j, qh[j]);
            }
        }
    }

    /** Vector kernel: as {@link Q4_KTensor.Simd}, one sub-block per step, fifth bit from {@code qh} lanes. */
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
                float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
                long low = LittleEndian.i64(data, block + SCALES_OFFSET);
                int high = LittleEndian.i32(data, block + SCALES_OFFSET + 8);
                for (int pair = 0; pair < BLOCK_SIZE / (2 * SUB_BLOCK); pair++) {
                    FloatVector scaleLo = FloatVector.broadcast(VectorShapes.F, d * Q4_KTensor.scaleOf(low, high, 2 * pair));
                    FloatVector minLo = FloatVector.broadcast(VectorShapes.F, -dmin * Q4_KTensor.minOf(low, high, 2 * pair));
                    FloatVector scaleHi = FloatVector.broadcast(VectorShapes.F,
                            d * Q4_KTensor.scaleOf(low, high, 2 * pair + 1));
                    FloatVector minHi = FloatVector.broadcast(VectorShapes.F,
                            -dmin * Q4_KTensor.minOf(low, high, 2 * pair + 1));
                    long qs = block + QS_OFFSET + 32 * pair;
                    int y = xi + 2 * SUB_BLOCK * pair;
                    for (int l = 0; l < SUB_BLOCK; l += lanes) {
                        ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, qs + l, VectorShapes.LE);
                        ByteVector qh = ByteVector.fromMemorySegment(VectorShapes.B, data, block + QH_OFFSET + l,
                                VectorShapes.LE).lanewise(VectorOperators.LSHR, 2 * pair);
                        FloatVector lo = widen(packed.and((byte) 0x0F)
                                .or(qh.and((byte) 1).lanewise(VectorOperators.LSHL, 4)));
                        FloatVector hi = widen(packed.lanewise(VectorOperators.LSHR, 4)
                                .or(qh.and((byte) 2).lanewise(VectorOperators.LSHL, 3)));
                        acc0 = lo.fma(scaleLo, minLo).fma(FloatVector.fromArray(VectorShapes.F, x, y + l), acc0);
                        acc1 = hi.fma(scaleHi, minHi).fma(FloatVector.fromArray(VectorShapes.F, x, y + SUB_BLOCK + l), acc1);
                    }
                }
            }
            sum += acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            if (body < length) {
                sum += scalarDot(data, offset + body, x, xOffset + body, length - body);
            }
            return sum;
        }

        /** Five-bit codes: a nibble of {@code qs} plus bit {@code sub} of {@code qh} as 16. */
        private static FloatVector codes(MemorySegment data, long qs, long qh, int shift, int sub) {
            ByteVector low = ByteVector.fromMemorySegment(VectorShapes.B, data, qs, VectorShapes.LE)
                    .lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F);
            ByteVector fifth = ByteVector.fromMemorySegment(VectorShapes.B, data, qh, VectorShapes.LE)
                    .lanewise(VectorOperators.LSHR, sub).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
            return widen(low.or(fifth));
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
                float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
                long low = LittleEndian.i64(data, block + SCALES_OFFSET);
                int high = LittleEndian.i32(data, block + SCALES_OFFSET + 8);
                for (int sub = 0; sub < BLOCK_SIZE / SUB_BLOCK; sub++) {
                    FloatVector scale = FloatVector.broadcast(VectorShapes.F, d * Q4_KTensor.scaleOf(low, high, sub));
                    FloatVector min = FloatVector.broadcast(VectorShapes.F, -dmin * Q4_KTensor.minOf(low, high, sub));
                    long qs = block + QS_OFFSET + 32 * (sub >> 1);
                    int shift = 4 * (sub & 1);
                    for (int l = 0; l < SUB_BLOCK; l += lanes) {
                        codes(data, qs + l, block + QH_OFFSET + l, shift, sub).fma(scale, min)
                                .intoArray(out, o + SUB_BLOCK * sub + l);
                    }
                }
            }
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
