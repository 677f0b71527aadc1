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

    /**
     * Reference, and the kernel without vectors: the exponentials one at a time, then their sum in
     * the vector kernel's order (a partial sum per lane, the lanes added in
     * {@link F32Tensor#laneTreeSum}'s tree, then the tail one by one), without allocating.
     */
    static float scalarExpShifted(float[] a, int from, int to, float max) {
        int lanes = Kernels.VECTOR ? VectorShapes.LANES : 16;
        int n = to - from;
        int body = n - n % lanes;
        for (int i = from; i < to; i++) {
            a[i] = exp(a[i] - max);
        }
        float s0 = lanePartial(a, from, body, lanes, 0);
        float s1 = lanePartial(a, from, body, lanes, 1);
        float s2 = lanePartial(a, from, body, lanes, 2);
        float s3 = lanePartial(a, from, body, lanes, 3);
        float s4 = lanePartial(a, from, body, lanes, 4);
        float s5 = lanePartial(a, from, body, lanes, 5);
        float s6 = lanePartial(a, from, body, lanes, 6);
        float s7 = lanePartial(a, from, body, lanes, 7);
        if (lanes == 16) {
            s0 += lanePartial(a, from, body, lanes, 8);
            s1 += lanePartial(a, from, body, lanes, 9);
            s2 += lanePartial(a, from, body, lanes, 10);
            s3 += lanePartial(a, from, body, lanes, 11);
            s4 += lanePartial(a, from, body, lanes, 12);
            s5 += lanePartial(a, from, body, lanes, 13);
            s6 += lanePartial(a, from, body, lanes, 14);
            s7 += lanePartial(a, from, body, lanes, 15);
        }
        float sum = ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
        for (int i = from + body; i < to; i++) {
            sum += a[i];
        }
        return sum;
    }

    /** The sum of lane {@code lane} over the body's vectors, in order, as a vector accumulator keeps it. */
    private static float lanePartial(float[] a, int from, int body, int lanes, int lane) {
        float p = 0f;
        for (int i = from + lane; i < from + body; i += lanes) {
            p += a[i];
        }
        return p;
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
