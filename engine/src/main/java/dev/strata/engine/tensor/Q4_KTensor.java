package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml {@code block_q4_K}: a super-block of 256 elements in 8 sub-blocks of 32. Layout: fp16
 * {@code d}, fp16 {@code dmin}, 12 bytes packing 8 six-bit scales and 8 six-bit mins, then 128
 * bytes of nibbles. Sub-blocks {@code 2k} and {@code 2k + 1} share bytes {@code 32k ... 32k + 31}
 * (low and high nibble). Element = {@code d * scale * q - dmin * min}. 144 bytes (4.5 bits per weight).
 */
final class Q4_KTensor extends FloatTensor {
    static final int BLOCK_SIZE = 256;
    static final int TYPE_SIZE = 144;
    static final int D_OFFSET = 0;
    static final int DMIN_OFFSET = 2;
    static final int SCALES_OFFSET = 4;
    static final int SCALES_BYTES = 12;
    static final int QS_OFFSET = 16;
    static final int SUB_BLOCK = 32;

    private final MemorySegment data;

    Q4_KTensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /**
     * Six-bit scale of sub-block {@code j} from the 12 packed bytes at {@code scales} (ggml's
     * {@code get_scale_min_k4}): sub-blocks 0-3 in the low 6 bits of bytes 0-3, sub-blocks 4-7 in
     * the low nibble of bytes 8-11 plus the top two bits of bytes 0-3. Shared with Q5_K.
     */
    static int scale(MemorySegment data, long scales, int j) {
        return j < 4 ? LittleEndian.u8(data, scales + j) & 63
                : (LittleEndian.u8(data, scales + j + 4) & 0xF) | ((LittleEndian.u8(data, scales + j - 4) >>> 6) << 4);
    }

    /** Six-bit min of sub-block {@code j}: bytes 4-7 low 6 bits, or high nibble of 8-11 plus top bits of 4-7. */
    static int min(MemorySegment data, long scales, int j) {
        return j < 4 ? LittleEndian.u8(data, scales + j + 4) & 63
                : (LittleEndian.u8(data, scales + j + 4) >>> 4) | ((LittleEndian.u8(data, scales + j) >>> 6) << 4);
    }

    /**
     * {@link #scale} from the 12 scale bytes read as a little-endian long ({@code low}, bytes 0-7)
     * and int ({@code high}, bytes 8-11): two memory reads per block instead of two per sub-block.
     */
    static int scaleOf(long low, int high, int j) {
        if (j < 4) {
            return (int) (low >>> (8 * j)) & 63;
        }
        return ((high >>> (8 * (j - 4))) & 0xF) | ((((int) (low >>> (8 * (j - 4))) & 0xFF) >>> 6) << 4);
    }

    /** {@link #min} from the packed scale bytes, as {@link #scaleOf}. */
    static int minOf(long low, int high, int j) {
        if (j < 4) {
            return (int) (low >>> (8 * (j + 4))) & 63;
        }
        return ((high >>> (8 * (j - 4) + 4)) & 0xF) | ((((int) (low >>> (8 * j)) & 0xFF) >>> 6) << 4);
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
        int packed = LittleEndian.u8(data, block + QS_OFFSET + 32 * pair + within % SUB_BLOCK);
        int q = within < SUB_BLOCK ? packed & 0xF : packed >>> 4;
        float d = LittleEndian.f16(data, block + D_OFFSET) * scale(data, block + SCALES_OFFSET, sub);
        float m = LittleEndian.f16(data, block + DMIN_OFFSET) * min(data, block + SCALES_OFFSET, sub);
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
            for (int pair = 0; pair < 4; pair++) {
                float d1 = d * scale(data, block + SCALES_OFFSET, 2 * pair);
                float m1 = dmin * min(data, block + SCALES_OFFSET, 2 * pair);
                float d2 = d * scale(data, block + SCALES_OFFSET, 2 * pair + 1);
                float m2 = dmin * min(data, block + SCALES_OFFSET, 2 * pair + 1);
                long qs = block + QS_OFFSET + 32 * pair;
                int y = o + 64 * pair;
                for (int l = 0; l < SUB_BLOCK; l++) {
                    int packed = LittleEndian.u8(data, qs + l);
                    out[y + l] = d1 * (packed & 0xF) - m1;
                    out[y + SUB_BLOCK + l] = d2 * (packed >>> 4) - m2;
                }
            }
        }
        for (int i = o - outOffset; i < length; i++) {
            out[outOffset + i] = element(data, offset + i);
        }
    }

    /** Reference kernel: per sub-block {@code d * scale * sum(q * x) - dmin * min * sum(x)}. */
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
            for (int pair = 0; pair < 4; pair++) {
                long qs = block + QS_OFFSET + 32 * pair;
                int y = xi + 64 * pair;
                float qx1 = 0f;
                float qx2 = 0f;
                float xs1 = 0f;
                float xs2 = 0f;
                for (int l = 0; l < SUB_BLOCK; l++) {
                    int packed = LittleEndian.u8(data, qs + l);
                    qx1 += (packed & 0xF) * x[y + l];
                    qx2 += (packed >>> 4) * x[y + SUB_BLOCK + l];
                    xs1 += x[y + l];
                    xs2 += x[y + SUB_BLOCK + l];
                }
                long scales = block + SCALES_OFFSET;
                sum += d * scale(data, scales, 2 * pair) * qx1 - dmin * min(data, scales, 2 * pair) * xs1;
                sum += d * scale(data, scales, 2 * pair + 1) * qx2 - dmin * min(data, scales, 2 * pair + 1) * xs2;
            }
        }
        for (int i = xi - xOffset; i < length; i++) {
            sum += element(data, offset + i) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * ggml's {@code quantize_row_q4_K_ref}: per sub-block a weighted scale/min search
     * ({@link ScaleSearch#makeQkx2Quants}, weights {@code rms(x) + |x|}), then scales and mins
     * quantized to 6 bits against the largest of each, then levels recomputed with the stored scales.
     */
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
                scales[j] = ScaleSearch.makeQkx2Quants(SUB_BLOCK, 15, src, s + SUB_BLOCK * j, weights, levels,
                        SUB_BLOCK * j, mins, j, aux, -1.f, 0.1f, 20, false);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            packScalesAndMins(scales, mins, maxScale, maxMin, packedScales);
            MemorySegment.copy(packedScales, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, block + SCALES_OFFSET,
                    SCALES_BYTES);
            LittleEndian.putF16(dst, block + D_OFFSET, maxScale / 63.f);
            LittleEndian.putF16(dst, block + DMIN_OFFSET, maxMin / 63.f);
            float d = LittleEndian.f16(dst, block + D_OFFSET);
            float dmin = LittleEndian.f16(dst, block + DMIN_OFFSET);
            for (int j = 0; j < BLOCK_SIZE / SUB_BLOCK; ++j) {
                float dj = d * scale(dst, block + SCALES_OFFSET, j);
                if (dj == 0) {
                    continue;
                }
                float dm = dmin * min(dst, block + SCALES_OFFSET, j);
                for (int ii = 0; ii < SUB_BLOCK; ++ii) {
                    int l = ScaleSearch.nearestInt((src[s + SUB_BLOCK * j + ii] + dm) / dj);
                    levels[SUB_BLOCK * j + ii] = (byte) Math.max(0, Math.min(15, l));
                }
            }
            for (int j = 0; j < BLOCK_SIZE; j += 64) {
                for (int l = 0; l < 32; ++l) {
                    LittleEndian.putU8(dst, block + QS_OFFSET + j / 2 + l, levels[j + l] | (levels[j + l + 32] << 4));
                }
            }
        }
    }

    /** Six-bit scales and mins relative to their maxima, packed as {@link #scale}/{@link #min} read them. */
    static void packScalesAndMins(float[] scales, float[] mins, float maxScale, float maxMin, byte[] out) {
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        java.util.Arrays.fill(out, (byte) 0);
        for (int j = 0; j < 8; ++j) {
            int ls = Math.min(63, ScaleSearch.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, ScaleSearch.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                out[j] = (byte) ls;
                out[j + 4] = (byte) lm;
            } else {
                out[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                out[j - 4] |= (byte) ((ls >> 4) << 6);
                out[j] |= (byte) ((lm >> 4) << 6);
            }
        }
    }

    /**
     * Vector kernel: one sub-block of 32 per step ({@code (q * d * scale - dmin * min) * x}), two
     * accumulators. The nibbles are split on int lanes after one sign-extending load (x86 has no
     * byte shifts, so a shift on byte lanes costs several instructions). The loop body is kept small
     * on purpose: C2 must inline every Vector API call of the method to keep vectors in registers,
     * and a fully unrolled super-block exceeds its budget (NodeCountInliningCutoff; measured: a
     * four-pair unrolled body with vector-unpacked scales ran at half the speed). A 16-entry table
     * lookup of the nibbles, as {@link Q4_0Tensor} does, measured no faster here: the per-sub-block
     * scalar scale unpacking is a third of the time.
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
                float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
                long low = LittleEndian.i64(data, block + SCALES_OFFSET);
                int high = LittleEndian.i32(data, block + SCALES_OFFSET + 8);
                for (int pair = 0; pair < BLOCK_SIZE / (2 * SUB_BLOCK); pair++) {
                    FloatVector scaleLo = FloatVector.broadcast(VectorShapes.F, d * scaleOf(low, high, 2 * pair));
                    FloatVector minLo = FloatVector.broadcast(VectorShapes.F, -dmin * minOf(low, high, 2 * pair));
                    FloatVector scaleHi = FloatVector.broadcast(VectorShapes.F, d * scaleOf(low, high, 2 * pair + 1));
                    FloatVector minHi = FloatVector.broadcast(VectorShapes.F, -dmin * minOf(low, high, 2 * pair + 1));
                    long qs = block + QS_OFFSET + 32 * pair;
                    int y = xi + 2 * SUB_BLOCK * pair;
                    for (int l = 0; l < SUB_BLOCK; l += lanes) {
                        IntVector packed = (IntVector) ByteVector.fromMemorySegment(VectorShapes.B, data, qs + l,
                                VectorShapes.LE).convertShape(VectorOperators.B2I, VectorShapes.I, 0);
                        FloatVector lo = (FloatVector) packed.and(0x0F).convert(VectorOperators.I2F, 0);
                        FloatVector hi = (FloatVector) packed.lanewise(VectorOperators.ASHR, 4).and(0x0F)
                                .convert(VectorOperators.I2F, 0);
                        acc0 = lo.fma(scaleLo, minLo).fma(FloatVector.fromArray(VectorShapes.F, x, y + l), acc0);
                        acc1 = hi.fma(scaleHi, minHi).fma(FloatVector.fromArray(VectorShapes.F, x, y + SUB_BLOCK + l), acc1);
                    }
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
                float d = LittleEndian.f16(data, block + D_OFFSET);
                float dmin = LittleEndian.f16(data, block + DMIN_OFFSET);
                long low = LittleEndian.i64(data, block + SCALES_OFFSET);
                int high = LittleEndian.i32(data, block + SCALES_OFFSET + 8);
                for (int sub = 0; sub < BLOCK_SIZE / SUB_BLOCK; sub++) {
                    FloatVector scale = FloatVector.broadcast(VectorShapes.F, d * scaleOf(low, high, sub));
                    FloatVector min = FloatVector.broadcast(VectorShapes.F, -dmin * minOf(low, high, sub));
                    long qs = block + QS_OFFSET + 32 * (sub >> 1);
                    int shift = 4 * (sub & 1);
                    for (int l = 0; l < SUB_BLOCK; l += lanes) {
                        nibbles(data, qs + l, shift).fma(scale, min).intoArray(out, o + SUB_BLOCK * sub + l);
                    }
                }
            }
        }

        /** {@code LANES} nibbles (low when {@code shift == 0}, high when 4) as floats. */
        private static FloatVector nibbles(MemorySegment data, long byteOffset, int shift) {
            ByteVector packed = ByteVector.fromMemorySegment(VectorShapes.B, data, byteOffset, VectorShapes.LE);
            return widen(packed.lanewise(VectorOperators.LSHR, shift).and((byte) 0x0F));
        }

        private static FloatVector widen(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, VectorShapes.F, 0);
        }
    }
}
