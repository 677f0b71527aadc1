package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Rounds activations the way llama.cpp's CPU backend does before a matrix product, so that Strata's
 * logits match llama.cpp's on the same quantized file.
 *
 * <p>ggml never dots a quantized weight row with float activations: each activation row is first
 * converted to the weight type's {@code vec_dot_type} (ggml-cpu's type traits) and the dot runs on
 * the two quantized rows. That conversion loses precision (a Q8 activation has 8 bits per value),
 * so a float-activation engine differs from llama.cpp by far more than the 1e-3 parity bar. This
 * class applies the same conversion and writes its values back as floats ({@code scale * q}, which
 * is exact for an fp16 scale): the float dot of a dequantized weight row with these values equals
 * ggml's integer dot up to float rounding of the sum.
 *
 * <ul>
 *   <li>Q8_0, Q4_0, Q5_0 (vec_dot_type Q8_0) and Q4_1, Q5_1 (Q8_1, same quants): blocks of
 *       {@value #Q8_0_BLOCK}, {@code d = amax / 127} stored as fp16, {@code q = rint(x * 127 / amax)}
 *       (round half to even, as the AVX2 {@code quantize_row_q8_0}/{@code q8_1} do). For Q8_1 ggml
 *       also keeps {@code s = fp16(d * sum q)} per block (with the unrounded {@code d = amax / 127})
 *       and the Q4_1/Q5_1 dot adds the weight minimum as {@code m * s}; {@link #roundQ8_1} also
 *       writes {@code s - d16 * sum q} per block, which the matmul adds as {@code m} times it
 *       ({@link FloatTensor#blockSumCorrection}), so that the minimum term uses ggml's rounded sum.</li>
 *   <li>Q2_K … Q6_K (Q8_K): blocks of {@value #Q8_K_BLOCK}, {@code iscale = -127 / max} where
 *       {@code max} is the value of largest magnitude, {@code q = min(127, nearest(iscale * x))},
 *       {@code d = 1 / iscale} as float32 ({@code quantize_row_q8_K_ref}).</li>
 *   <li>F16: rounded to fp16 (nearest even); BF16: rounded to bfloat16 (nearest even).</li>
 *   <li>F32 and Q8_K weights: activations stay float.</li>
 * </ul>
 */
final class ActivationQuantizer {
    /** Elements per Q8_0/Q8_1 activation block. */
    static final int Q8_0_BLOCK = 32;
    /** Elements per Q8_K activation block. */
    static final int Q8_K_BLOCK = 256;
    /** Largest Q8 level. */
    private static final float Q8_MAX = 127f;

    private ActivationQuantizer() {}

    /** True when activations multiplied with {@code weightType} are rounded before the dot. */
    static boolean rounds(GgmlType weightType) {
        return switch (weightType) {
            case Q8_0, Q4_0, Q5_0, Q4_1, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, F16, BF16 -> true;
            default -> false;
        };
    }

    /**
     * Writes {@code x[xOffset, xOffset + length)} rounded for a dot with {@code weightType} rows into
     * {@code out[outOffset ...]} (may be {@code x} itself). {@code length} is a whole number of the
     * activation blocks of that type (any length for F16/BF16, and a copy for types that do not round).
     */
    static void round(GgmlType weightType, float[] x, int xOffset, int length, float[] out, int outOffset) {
        switch (weightType) {
            case Q8_0, Q4_0, Q5_0, Q4_1, Q5_1 -> {
                for (int b = 0; b < length; b += Q8_0_BLOCK) {
                    roundQ8_0Block(x, xOffset + b, out, outOffset + b);
                }
            }
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> {
                for (int b = 0; b < length; b += Q8_K_BLOCK) {
                    roundQ8_KBlock(x, xOffset + b, out, outOffset + b);
                }
            }
            case F16 -> {
                for (int i = 0; i < length; i++) {
                    out[outOffset + i] = Float.float16ToFloat(Float.floatToFloat16(x[xOffset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < length; i++) {
                    out[outOffset + i] = Float.intBitsToFloat(LittleEndian.toBf16(x[xOffset + i]) << 16);
                }
            }
            default -> System.arraycopy(x, xOffset, out, outOffset, length);
        }
    }

    /** True when {@code weightType}'s dot takes Q8_1 activations, whose per-block sums ggml rounds to fp16. */
    static boolean keepsBlockSums(GgmlType weightType) {
        return weightType == GgmlType.Q4_1 || weightType == GgmlType.Q5_1;
    }

    /**
     * Q8_1 rounding of {@code x[xOffset, xOffset + length)} into {@code out[outOffset ...]} (as
     * {@link #round} does for Q4_1/Q5_1), plus for each block {@code b} of {@value #Q8_0_BLOCK} the
     * correction {@code corrections[correctionOffset + b] = fp16(d * sum q) - d16 * sum q}: what
     * ggml's rounded block sum adds to the exact sum of the rounded values. {@code length} is a
     * multiple of {@value #Q8_0_BLOCK}.
     */
    static void roundQ8_1(float[] x, int xOffset, int length, float[] out, int outOffset, float[] corrections,
                          int correctionOffset) {
        for (int b = 0; b < length; b += Q8_0_BLOCK) {
            corrections[correctionOffset + b / Q8_0_BLOCK] = roundQ8_0Block(x, xOffset + b, out, outOffset + b);
        }
    }

    /**
     * One Q8_0 block: fp16 scale {@code amax / 127}, levels rounded half to even. Returns the Q8_1
     * block-sum correction {@code fp16(d * sum q) - d16 * sum q} ({@code d} unrounded, as ggml's
     * AVX2 {@code quantize_row_q8_1} computes {@code s}).
     */
    private static float roundQ8_0Block(float[] x, int from, float[] out, int to) {
        return Kernels.VECTOR ? Simd.roundQ8_0Block(x, from, out, to) : scalarRoundQ8_0Block(x, from, out, to);
    }

    /** Reference for {@link #roundQ8_0Block}, element by element. */
    static float scalarRoundQ8_0Block(float[] x, int from, float[] out, int to) {
        float amax = 0f;
        for (int j = 0; j < Q8_0_BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / Q8_MAX;
        float d16 = Float.float16ToFloat(Float.floatToFloat16(d));
        float id = amax != 0f ? Q8_MAX / amax : 0f;
        int sum = 0;
        for (int j = 0; j < Q8_0_BLOCK; j++) {
            float q = (float) Math.rint(x[from + j] * id) + 0f; // + 0: a level rounded from below zero is +0, as in ints
            sum += (int) q;
            out[to + j] = d16 * q;
        }
        return q8_1Correction(d, d16, sum);
    }

    /** {@code fp16(d * sum) - d16 * sum}: what ggml's rounded Q8_1 block sum adds beyond the levels. */
    private static float q8_1Correction(float d, float d16, int sum) {
        return Float.float16ToFloat(Float.floatToFloat16(d * sum)) - d16 * sum;
    }

    /** One Q8_K block: float32 scale from the signed value of largest magnitude, levels capped at 127. */
    private static void roundQ8_KBlock(float[] x, int from, float[] out, int to) {
        if (Kernels.VECTOR) {
            Simd.roundQ8_KBlock(x, from, out, to);
        } else {
            scalarRoundQ8_KBlock(x, from, out, to);
        }
    }

    /** Reference for {@link #roundQ8_KBlock}, element by element. */
    static void scalarRoundQ8_KBlock(float[] x, int from, float[] out, int to) {
        float max = 0f;
        float amax = 0f;
        for (int j = 0; j < Q8_K_BLOCK; j++) {
            float ax = Math.abs(x[from + j]);
            if (ax > amax) {
                amax = ax;
                max = x[from + j];
            }
        }
        if (amax == 0f) {
            java.util.Arrays.fill(out, to, to + Q8_K_BLOCK, 0f);
            return;
        }
        float iscale = -Q8_MAX / max;
        float d = 1 / iscale;
        for (int j = 0; j < Q8_K_BLOCK; j++) {
            out[to + j] = d * Math.min(127, ScaleSearch.nearestInt(iscale * x[from + j]));
        }
    }

    /**
     * Vector kernels. Q8_0 rounding gives the same bits as the scalar loop: the block maximum is order-free, and
     * {@code (v + 1.5·2^23) - 1.5·2^23} rounds a float of magnitude below 2^22 to the nearest integer,
     * ties to even, exactly as {@link Math#rint} does (giving +0 where rint gives -0, which the scalar
     * loop matches by adding 0).
     */
    static final class Simd {
        private Simd() {}

        /** The largest magnitude in {@code x[from, from + length)} ({@code length} a multiple of the lanes). */
        private static float maxMagnitude(float[] x, int from, int length) {
            FloatVector amaxes = FloatVector.zero(VectorShapes.F);
            for (int j = 0; j < length; j += VectorShapes.LANES) {
                amaxes = amaxes.max(FloatVector.fromArray(VectorShapes.F, x, from + j).abs());
            }
            return amaxes.reduceLanes(VectorOperators.MAX);
        }

        static float roundQ8_0Block(float[] x, int from, float[] out, int to) {
            final int lanes = VectorShapes.LANES;
            float amax = maxMagnitude(x, from, Q8_0_BLOCK);
            float d = amax / Q8_MAX;
            float d16 = Float.float16ToFloat(Float.floatToFloat16(d));
            float id = amax != 0f ? Q8_MAX / amax : 0f;
            IntVector sums = IntVector.zero(VectorShapes.I);
            for (int j = 0; j < Q8_0_BLOCK; j += lanes) {
                FloatVector q = FloatVector.fromArray(VectorShapes.F, x, from + j).mul(id)
                        .add(ScaleSearch.ROUND_TO_INTEGER).sub(ScaleSearch.ROUND_TO_INTEGER);
                sums = sums.add((IntVector) q.convert(VectorOperators.F2I, 0));
                q.mul(d16).intoArray(out, to + j);
            }
            return q8_1Correction(d, d16, sums.reduceLanes(VectorOperators.ADD));
        }

        /**
         * Vector Q8_K rounding, the same bits as the scalar loop: the signed value of largest magnitude
         * is the first one equal to the (order-free) maximum magnitude, and {@code nearest_int}'s
         * shift by 1.5·2^23 is the same float addition in every lane.
         */
        static void roundQ8_KBlock(float[] x, int from, float[] out, int to) {
            final int lanes = VectorShapes.LANES;
            float amax = maxMagnitude(x, from, Q8_K_BLOCK);
            if (amax == 0f) {
                java.util.Arrays.fill(out, to, to + Q8_K_BLOCK, 0f);
                return;
            }
            float max = 0f;
            for (int j = 0; j < Q8_K_BLOCK; j += lanes) {
                VectorMask<Float> hit = FloatVector.fromArray(VectorShapes.F, x, from + j).abs()
                        .compare(VectorOperators.EQ, amax);
                if (hit.anyTrue()) {
                    max = x[from + j + hit.firstTrue()];
                    break;
                }
            }
            float iscale = -Q8_MAX / max;
            float d = 1 / iscale;
            for (int j = 0; j < Q8_K_BLOCK; j += lanes) {
                FloatVector q = FloatVector.fromArray(VectorShapes.F, x, from + j).mul(iscale)
                        .add(ScaleSearch.ROUND_TO_INTEGER).sub(ScaleSearch.ROUND_TO_INTEGER).min(Q8_MAX);
                q.mul(d).intoArray(out, to + j);
            }
        }
    }
}
