package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q2_K}: 256 elements in 16 sub-blocks of 16. Layout: 16 bytes of scales (low
 * nibble: scale, high nibble: min), 64 bytes {@code qs} of 2-bit codes, fp16 {@code d}, fp16
 * {@code dmin}. In each half of 128 elements, element {@code 32j + w} ({@code j < 4}, {@code w < 32})
 * is bits {@code 2j, 2j + 1} of {@code qs[w]} with scale byte {@code 2j + w / 16}; element =
 * {@code d * scale * q - dmin * min}. 84 bytes (2.625 bits per weight).
 */
final class Q2_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 84;
    static final int SCALES_OFFSET = 0;
    static final int QS_OFFSET = 16;
    static final int D_OFFSET = 80;
    static final int DMIN_OFFSET = 82;
    static final int SUB_BLOCK = 16;

    private final MemorySegment data;

    Q2_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
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
        int q = (LittleEndian.u8(data, block + QS_OFFSET + 32 * half + w) >>> (2 * j)) & 3;
        int sc = LittleEndian.u8(data, block + SCALES_OFFSET + 8 * half + 2 * j + w / 16);
        float dl = LittleEndian.f16(data, block + D_OFFSET) * (sc & 0xF);
        float ml = LittleEndian.f16(data, block + DMIN_OFFSET) * (sc >>> 4);
        return dl * q - ml;
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
            for (int half = 0; half < 2; half++) {
                long qs = block + QS_OFFSET + 32 * half;
                for (int j = 0; j < 4; j++) {
                    for (int part = 0; part < 2; part++) {
                        int sc = LittleEndian.u8(data, block + SCALES_OFFSET + 8 * half + 2 * j + part);
                        float dl = d * (sc & 0xF);
                        float ml = dmin * (sc >>> 4);
                        int y = o + 128 * half + 32 * j + 16 * part;
                        for (int l = 0; l < SUB_BLOCK; l++) {
                            out[y + l] = dl * ((LittleEndian.u8(data, qs + 16 * part + l) >>> (2 * j)) & 3) - ml;
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
            float d = LittleEndian.f16(data, block + D_OFFSET);
            float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
            for (int half = 0; half < 2; half++) {
                long qs = block + QS_OFFSET + 32 * half;
                for (int j = 0; j < 4; j++) {
                    for (int part = 0; part < 2; part++) {
                        int sc = LittleEndian.u8(data, block + SCALES_OFFSET + 8 * half + 2 * j + part);
                        int y = xi + 128 * half + 32 * j + 16 * part;
                        float qx = 0f;
                        float xs = 0f;
                        for (int l = 0; l < SUB_BLOCK; l++) {
                            qx += ((LittleEndian.u8(data, qs + 16 * part + l) >>> (2 * j)) & 3) * x[y + l];
                            xs += x[y + l];
                        }
                        sum += d * (sc & 0xF) * qx - dmin * (sc >>> 4) * xs;
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
     * ggml's {@code quantize_row_q2_K_ref}: per sub-block of 16 a scale/min search minimizing the
     * |x|-weighted absolute error ({@link ScaleSearch#makeQkx2Quants} with MAD), 4-bit scales and mins.
     */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        byte[] levels = new byte[BLOCK_SIZE];
        byte[] aux = new byte[SUB_BLOCK];
        float[] weights = new float[SUB_BLOCK];
        float[] mins = new float[BLOCK_SIZE / SUB_BLOCK];
        float[] scales = new float[BLOCK_SIZE / SUB_BLOCK];
        int[] packedScales = new int[BLOCK_SIZE / SUB_BLOCK];
        final float q4scale = 15.f;
        for (int b = 0; b < length / BLOCK_SIZE; b++) {
            int s = srcOffset + b * BLOCK_SIZE;
            long block = dstOffset + (long) b * TYPE_SIZE;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                for (int l = 0; l < SUB_BLOCK; ++l) {
                    weights[l] = Math.abs(src[s + SUB_BLOCK * j + l]);
                }
                scales[j] = ScaleSearch.makeQkx2Quants(SUB_BLOCK, 3, src, s + SUB_BLOCK * j, weights, levels,
                        SUB_BLOCK * j, mins, j, aux, -0.5f, 0.1f, 15, true);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            if (maxScale > 0) {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                    packedScales[j] = ScaleSearch.nearestInt(iscale * scales[j]) & 0xFF;
                }
                LittleEndian.putF16(dst, block + D_OFFSET, maxScale / q4scale);
            } else {
                java.util.Arrays.fill(packedScales, 0);
                LittleEndian.putF16(dst, block + D_OFFSET, 0.f);
            }
            if (maxMin > 0) {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                    packedScales[j] = (packedScales[j] | (ScaleSearch.nearestInt(iscale * mins[j]) << 4)) & 0xFF;
                }
                LittleEndian.putF16(dst, block + DMIN_OFFSET, maxMin / q4scale);
            } else {
                LittleEndian.putF16(dst, block + DMIN_OFFSET, 0.f);
            }
            float dAll = LittleEndian.f16(dst, block + D_OFFSET);
            float dminAll = LittleEndian.f16(dst, block + DMIN_OFFSET);
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                LittleEndian.putU8(dst, block + SCALES_OFFSET + j, packedScales[j]);
                float d = dAll * (packedScales[j] & 0xF);
                if (d == 0) {
                    continue;
                }
                float dm = dminAll * (packedScales[j] >>> 4);
                for (int ii = 0; ii < SUB_BLOCK; ++ii) {
                    int l = ScaleSearch.nearestInt((src[s + SUB_BLOCK * j + ii] + dm) / d);
                    levels[SUB_BLOCK * j + ii] = (byte) Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < BLOCK_SIZE; j += 128) {
                for (int l = 0; l < 32; ++l) {
                    LittleEndian.putU8(dst, block + QS_OFFSET + j / 4 + l, levels[j + l] | (levels[j + l + 32] << 2)
                            | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
                }
            }
        }
    }

    /** Vector kernel: 2-bit codes shifted out of each byte lane, {@code (q * dl - ml) * x}, two accumulators. */
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
                for (int half = 0; half < 2; half++) {
                    long qs = block + QS_OFFSET + 32 * half;
                    long scales = block + SCALES_OFFSET + 8 * half;
                    for (int l = 0; l < 32; l += lanes) {
                        ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, qs + l, VectorShapes.LE);
                        int part = l / 16;
                        for (int j = 0; j < 4; j += 2) {
                            int sc0 = LittleEndian.u8(data, scales + 2 * j + part);
                            int sc1 = LittleEndian.u8(data, scales + 2 * j + 2 + part);
                            FloatVector q0 = widen(packed.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3));
                            FloatVector q1 = widen(packed.lanewise(VectorOperators.LSHR, 2 * j + 2).and((byte) 3));
                            int y = xi + 128 * half + 32 * j + l;
                            acc0 = q0.fma(d * (sc0 & 0xF), -dmin * (sc0 >>> 4))
                                    .fma(FloatVector.fromArray(VectorShapes.F, x, y), acc0);
                            acc1 = q1.fma(d * (sc1 & 0xF), -dmin * (sc1 >>> 4))
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
                float d = LittleEndian.f16(data, block + D_OFFSET);
                float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
                for (int half = 0; half < 2; half++) {
                    for (int j = 0; j < 4; j++) {
                        for (int l = 0; l < 32; l += lanes) {
                            int sc = LittleEndian.u8(data, block + SCALES_OFFSET + 8 * half + 2 * j + l / 16);
                            ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data,
                                    block + QS_OFFSET + 32 * half + l, VectorShapes.LE);
                            widen(packed.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3))
                                    .fma(d * (sc & 0xF), -dmin * (sc >>> 4)).intoArray(out, o + 128 * half + 32 * j + l);
                        }
                    }
                }
            }
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
