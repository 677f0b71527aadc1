package dev.strata.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code a[i] = exp(a[i] - max)} over a range, returning the sum: the exponential step of a softmax
 * (attention scores), sixteen lanes at a time.
 *
 * <p>{@link #exp} is a float polynomial, not {@link Math#exp}: {@code x = n ln 2 + r} with {@code n}
 * rounded to nearest and {@code |r| <= ln 2 / 2} (ln 2 split in two parts so {@code r} is exact to
 * float precision), {@code e^r} by its degree-6 Taylor polynomial in Horner form (truncation below
 * 2e-7 relative), scaled by {@code 2^n} through the exponent bits. Every step is an add, a multiply,
 * a fused multiply-add or a bit operation, which round the same in the vector kernel, the scalar
 * reference, the interpreter and compiled code, so a softmax gives the same bits before and after
 * the JIT and with or without vectors (the Vector API's own {@code EXP} calls a vendor library once
 * compiled and {@code Math.exp} when interpreted, which can differ in the last bit). Inputs below
 * {@link #MIN_INPUT} give {@code e^MIN_INPUT} (about 1e-38) instead of underflowing to subnormals.
 */
public final class Softmax {
    /** Smallest input: {@code 2^-126} is the smallest normal float. */
    static final float MIN_INPUT = -87.33f;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    /** 1.5 * 2^23: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float C2 = 1f / 2;
    private static final float C3 = 1f / 6;
    private static final float C4 = 1f / 24;
    private static final float C5 = 1f / 120;
    private static final float C6 = 1f / 720;

    private Softmax() {}

    /**
     * Replaces {@code a[from, to)} with {@code exp(a[i] - max)} and returns their sum (lanes added in
     * a fixed order, so the sum too is the same bits everywhere).
     */
    public static float expShifted(float[] a, int from, int to, float max) {
        if (Kernels.VECTOR) {
            return Simd.expShifted(a, from, to, max);
        }
        return scalarExpShifted(a, from, to, max);
    }

    /** Reference: one element at a time, lanes of {@code 16} partial sums as the vector kernel keeps them. */
    static float scalarExpShifted(float[] a, int from, int to, float max) {
        int lanes = Kernels.VECTOR ? VectorShapes.LANES : 16;
        int n = to - from;
        int body = n - n % lanes;
        float[] partial = new float[lanes];
        for (int i = 0; i < body; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                float e = exp(a[from + i + l] - max);
                a[from + i + l] = e;
                partial[l] += e;
            }
        }
        float sum = F32Tensor.laneTreeSum(partial, 0, lanes);
        for (int i = from + body; i < to; i++) {
            float e = exp(a[i] - max);
            a[i] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code e^x} for one float, the same bits as the vector kernel's lanes. */
    static float exp(float x) {
        x = Math.max(x, MIN_INPUT);
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(C6, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int scale = (Float.floatToRawIntBits(t) - ROUNDER_BITS + 127) << 23;
        return p * Float.intBitsToFloat(scale);
    }

    static final class Simd {
        private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(VectorShapes.F, -LN2_HI);
        private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(VectorShapes.F, -LN2_LO);
        private static final FloatVector V_C4 = FloatVector.broadcast(VectorShapes.F, C4);
        private static final FloatVector V_C3 = FloatVector.broadcast(VectorShapes.F, C3);
        private static final FloatVector V_C2 = FloatVector.broadcast(VectorShapes.F, C2);
        private static final FloatVector ONE = FloatVector.broadcast(VectorShapes.F, 1f);

        private Simd() {}

        static float expShifted(float[] a, int from, int to, float max) {
            final int lanes = VectorShapes.LANES;
            int n = to - from;
            int body = n - n % lanes;
            FloatVector sum = FloatVector.zero(VectorShapes.F);
            for (int i = 0; i < body; i += lanes) {
                FloatVector x = FloatVector.fromArray(VectorShapes.F, a, from + i).sub(max)
                        .max(MIN_INPUT);
                FloatVector t = x.fma(LOG2E, ROUNDER);
                FloatVector k = t.sub(ROUNDER);
                FloatVector r = k.fma(MINUS_LN2_HI, x);
                r = k.fma(MINUS_LN2_LO, r);
                FloatVector p = r.fma(C6, C5);
                p = p.fma(r, V_C4);
                p = p.fma(r, V_C3);
                p = p.fma(r, V_C2);
                p = p.fma(r, ONE);
                p = p.fma(r, ONE);
                IntVector bits = t.reinterpretAsInts().sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23);
                FloatVector e = p.mul(bits.reinterpretAsFloats());
                e.intoArray(a, from + i);
                sum = sum.add(e);
            }
            float total = VectorShapes.sum(sum);
            for (int i = from + body; i < to; i++) {
                float e = exp(a[i] - max);
                a[i] = e;
                total += e;
            }
            return total;
        }
    }
}
