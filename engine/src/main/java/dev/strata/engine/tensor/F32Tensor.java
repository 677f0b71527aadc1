package dev.strata.engine.tensor;

import dev.strata.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Plain little-endian float32 elements (ggml {@code GGML_TYPE_F32}). */
final class F32Tensor extends FloatTensor {
    static final int BYTES = Float.BYTES;

    private final MemorySegment data;

    F32Tensor(MemorySegment data, long size) {
        super(size);
        this.data = data;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return LittleEndian.f32(data, index * BYTES);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(data, offset, x, xOffset, length) : scalarDot(data, offset, x, xOffset, length);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int length) {
        MemorySegment.copy(data, LittleEndian.F32, offset * BYTES, out, outOffset, length);
    }

    /** Reference kernel: one element at a time, one accumulator. */
    static float scalarDot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += LittleEndian.f32(data, (offset + i) * BYTES) * x[xOffset + i];
        }
        return sum;
    }

    /** Dot product of two float arrays with the selected kernels. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return Kernels.VECTOR ? Simd.dot(a, aOffset, b, bOffset, length) : scalarDot(a, aOffset, b, bOffset, length);
    }

    /**
     * {@code out[outOffset + t * outStride] = dot(row, x[xOffset + t * length ...])} for {@code t < 4}:
     * four tokens against one row, loading each row vector once. Every token's result is bit-identical
     * to {@link #dot(float[], int, float[], int, int)} (same accumulators, same order), so a matmul
     * gives the same numbers however its tokens are grouped.
     */
    static void dot4(float[] row, float[] x, int xOffset, int length, float[] out, int outOffset, int outStride) {
        dot4(row, 0, x, xOffset, length, out, outOffset, outStride, new float[DOT4_SCRATCH]);
    }

    /** Floats of scratch {@link #dot4} needs: the four tokens' vector sums, spilled for the lane sums. */
    static final int DOT4_SCRATCH = 4 * 16;

    /**
     * {@link #dot4} with the row at {@code row[rowOffset, rowOffset + length)} (a row of a tile) and
     * caller-owned {@code scratch} of {@link #DOT4_SCRATCH} floats. The four accumulators are summed
     * through the scratch array with {@link VectorShapes#sumLanes} rather than {@link VectorShapes#sum}:
     * the kernel is big enough that C2 stops inlining at its end (NodeCountInliningCutoff), and a
     * vector passed to a method that is not inlined is boxed, which allocated about 100 bytes per call.
     */
    static void dot4(float[] row, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride, float[] scratch) {
        if (Kernels.VECTOR) {
            Simd.dot4(row, rowOffset, x, xOffset, length, out, outOffset, outStride, scratch);
        } else {
            scalarDot4(row, rowOffset, x, xOffset, length, out, outOffset, outStride);
        }
    }

    /** Floats of scratch {@link #dot4x4} needs: four partial sums of sixteen outputs, 16 lanes at most. */
    static final int DOT4X4_SCRATCH = 4 * 16 * 16;

    /**
     * A 4 x 4 block of a matrix product: rows {@code k < 4} at {@code tile[rowOffset + k * length ...]}
     * (consecutive rows of a tile) against tokens {@code t < 4} at {@code x[xOffset + t * length ...]},
     * into {@code out[outOffset + t * outStride + k]}. Each step loads four row vectors and four token
     * vectors for sixteen multiply-adds ({@link #dot4} loads twenty), which is what bounds a
     * compute-bound prefill. Bit-identical to {@link #dot(float[], int, float[], int, int)} per output:
     * {@code dot} keeps four accumulators (vectors {@code 0, 4, 8...}, {@code 1, 5, 9...}, ...), and
     * sixty-four would not fit in registers, so the block makes four passes, one per accumulator, keeps
     * the partial sums in {@code scratch} ({@link #DOT4X4_SCRATCH} floats) and adds them in {@code dot}'s
     * order. Exactness matters beyond tidiness: activations are rounded to Q8/Q8_K levels before every
     * product, a step function, so a last-bit difference can move one to the next level and logits by
     * far more than the rounding itself; with exact sums a batched product gives the same bits as
     * {@code dot}, whatever the batch.
     */
    static void dot4x4(float[] tile, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride, float[] scratch) {
        if (Kernels.VECTOR) {
            Simd.dot4x4(tile, rowOffset, x, xOffset, length, out, outOffset, outStride, scratch);
        } else {
            scalarDot4x4(tile, rowOffset, x, xOffset, length, out, outOffset, outStride);
        }
    }

    /** Reference for {@link #dot4x4}: sixteen scalar dots. */
    static void scalarDot4x4(float[] tile, int rowOffset, float[] x, int xOffset, int length, float[] out,
            int outOffset, int outStride) {
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 4; k++) {
                out[outOffset + t * outStride + k] = scalarDot(tile, rowOffset + k * length, x, xOffset + t * length,
                        length);
            }
        }
    }

    /** Reference for {@link #dot4}: four scalar dots. */
    static void scalarDot4(float[] row, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride) {
        for (int t = 0; t < 4; t++) {
            out[outOffset + t * outStride] = scalarDot(row, rowOffset, x, xOffset + t * length, length);
        }
    }

    static float scalarDot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float sum = 0f;
        for (int i = 0; i < length; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** Stores {@code src} as float32. */
    static void quantize(float[] src, int srcOffset, int length, MemorySegment dst, long dstOffset) {
        MemorySegment.copy(src, srcOffset, dst, LittleEndian.F32, dstOffset, length);
    }

    /** Vector kernel: four accumulators over {@code 4 * LANES} elements, scalar tail. */
    static final class Simd {
        private Simd() {}

        static float dot(MemorySegment data, long offset, float[] x, int xOffset, int length) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            long at = offset * BYTES;
            for (int i = 0; i < body; i += step, at += (long) step * BYTES) {
                acc0 = load(data, at).fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i), acc0);
                acc1 = load(data, at + lanes * BYTES).fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + lanes), acc1);
                acc2 = load(data, at + 2 * lanes * BYTES)
                        .fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + 2 * lanes), acc2);
                acc3 = load(data, at + 3 * lanes * BYTES)
                        .fma(FloatVector.fromArray(VectorShapes.F, x, xOffset + i + 3 * lanes), acc3);
            }
            float sum = VectorShapes.sum(acc0.add(acc1).add(acc2.add(acc3)));
            return sum + scalarDot(data, offset + body, x, xOffset + body, length - body);
        }

        static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            FloatVector acc0 = FloatVector.zero(VectorShapes.F);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int i = 0; i < body; i += step) {
                acc0 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i), acc0);
                acc1 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + lanes), acc1);
                acc2 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + 2 * lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + 2 * lanes), acc2);
                acc3 = FloatVector.fromArray(VectorShapes.F, a, aOffset + i + 3 * lanes)
                        .fma(FloatVector.fromArray(VectorShapes.F, b, bOffset + i + 3 * lanes), acc3);
            }
            float sum = VectorShapes.sum(acc0.add(acc1).add(acc2.add(acc3)));
            return sum + scalarDot(a, aOffset + body, b, bOffset + body, length - body);
        }

        static void dot4(float[] row, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
                         int outStride, float[] scratch) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            final int x0 = xOffset;
            final int x1 = xOffset + length;
            final int x2 = xOffset + 2 * length;
            final int x3 = xOffset + 3 * length;
            FloatVector a0 = FloatVector.zero(VectorShapes.F);
            FloatVector a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            for (int i = 0; i < body; i += step) {
                FloatVector r0 = FloatVector.fromArray(VectorShapes.F, row, rowOffset + i);
                FloatVector r1 = FloatVector.fromArray(VectorShapes.F, row, rowOffset + i + lanes);
                FloatVector r2 = FloatVector.fromArray(VectorShapes.F, row, rowOffset + i + 2 * lanes);
                FloatVector r3 = FloatVector.fromArray(VectorShapes.F, row, rowOffset + i + 3 * lanes);
                a0 = r0.fma(FloatVector.fromArray(VectorShapes.F, x, x0 + i), a0);
                a1 = r1.fma(FloatVector.fromArray(VectorShapes.F, x, x0 + i + lanes), a1);
                a2 = r2.fma(FloatVector.fromArray(VectorShapes.F, x, x0 + i + 2 * lanes), a2);
                a3 = r3.fma(FloatVector.fromArray(VectorShapes.F, x, x0 + i + 3 * lanes), a3);
                b0 = r0.fma(FloatVector.fromArray(VectorShapes.F, x, x1 + i), b0);
                b1 = r1.fma(FloatVector.fromArray(VectorShapes.F, x, x1 + i + lanes), b1);
                b2 = r2.fma(FloatVector.fromArray(VectorShapes.F, x, x1 + i + 2 * lanes), b2);
                b3 = r3.fma(FloatVector.fromArray(VectorShapes.F, x, x1 + i + 3 * lanes), b3);
                c0 = r0.fma(FloatVector.fromArray(VectorShapes.F, x, x2 + i), c0);
                c1 = r1.fma(FloatVector.fromArray(VectorShapes.F, x, x2 + i + lanes), c1);
                c2 = r2.fma(FloatVector.fromArray(VectorShapes.F, x, x2 + i + 2 * lanes), c2);
                c3 = r3.fma(FloatVector.fromArray(VectorShapes.F, x, x2 + i + 3 * lanes), c3);
                d0 = r0.fma(FloatVector.fromArray(VectorShapes.F, x, x3 + i), d0);
                d1 = r1.fma(FloatVector.fromArray(VectorShapes.F, x, x3 + i + lanes), d1);
                d2 = r2.fma(FloatVector.fromArray(VectorShapes.F, x, x3 + i + 2 * lanes), d2);
                d3 = r3.fma(FloatVector.fromArray(VectorShapes.F, x, x3 + i + 3 * lanes), d3);
            }
            int tail = length - body;
            a0.add(a1).add(a2.add(a3)).intoArray(scratch, 0);
            b0.add(b1).add(b2.add(b3)).intoArray(scratch, lanes);
            c0.add(c1).add(c2.add(c3)).intoArray(scratch, 2 * lanes);
            d0.add(d1).add(d2.add(d3)).intoArray(scratch, 3 * lanes);
            out[outOffset] = VectorShapes.sumLanes(scratch, 0) + scalarDot(row, rowOffset + body, x, x0 + body, tail);
            out[outOffset + outStride] = VectorShapes.sumLanes(scratch, lanes)
                    + scalarDot(row, rowOffset + body, x, x1 + body, tail);
            out[outOffset + 2 * outStride] = VectorShapes.sumLanes(scratch, 2 * lanes)
                    + scalarDot(row, rowOffset + body, x, x2 + body, tail);
            out[outOffset + 3 * outStride] = VectorShapes.sumLanes(scratch, 3 * lanes)
                    + scalarDot(row, rowOffset + body, x, x3 + body, tail);
        }

        static void dot4x4(float[] tile, int rowOffset, float[] x, int xOffset, int length, float[] out,
                int outOffset, int outStride, float[] scratch) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            int body = length - length % step;
            for (int phase = 0; phase < 4; phase++) {
                phase(tile, rowOffset, x, xOffset, length, body, phase, scratch);
            }
            combine(scratch);
            for (int t = 0; t < 4; t++) {
                for (int k = 0; k < 4; k++) {
                    float sum = VectorShapes.sumLanes(scratch, (4 * t + k) * lanes);
                    out[outOffset + t * outStride + k] = sum + scalarDot(tile, rowOffset + k * length + body, x,
                            xOffset + t * length + body, length - body);
                }
            }
        }

        /**
         * Accumulator {@code phase} of {@link #dot(float[], int, float[], int, int)} (vectors {@code phase},
         * {@code phase + 4}, ... of the body) for the 16 (row, token) pairs, stored at
         * {@code scratch[(16 * phase + 4 * t + k) * LANES]}.
         */
        private static void phase(float[] tile, int rowOffset, float[] x, int xOffset, int length, int body, int phase,
                float[] scratch) {
            final int lanes = VectorShapes.LANES;
            final int step = 4 * lanes;
            final int w0 = rowOffset;
            final int w1 = rowOffset + length;
            final int w2 = rowOffset + 2 * length;
            final int w3 = rowOffset + 3 * length;
            final int x0 = xOffset;
            final int x1 = xOffset + length;
            final int x2 = xOffset + 2 * length;
            final int x3 = xOffset + 3 * length;
            FloatVector a0 = FloatVector.zero(VectorShapes.F);
            FloatVector a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            for (int i = phase * lanes; i < body; i += step) {
                FloatVector r0 = FloatVector.fromArray(VectorShapes.F, tile, w0 + i);
                FloatVector r1 = FloatVector.fromArray(VectorShapes.F, tile, w1 + i);
                FloatVector r2 = FloatVector.fromArray(VectorShapes.F, tile, w2 + i);
                FloatVector r3 = FloatVector.fromArray(VectorShapes.F, tile, w3 + i);
                FloatVector t0 = FloatVector.fromArray(VectorShapes.F, x, x0 + i);
                FloatVector t1 = FloatVector.fromArray(VectorShapes.F, x, x1 + i);
                FloatVector t2 = FloatVector.fromArray(VectorShapes.F, x, x2 + i);
                FloatVector t3 = FloatVector.fromArray(VectorShapes.F, x, x3 + i);
                a0 = r0.fma(t0, a0);
                a1 = r1.fma(t0, a1);
                a2 = r2.fma(t0, a2);
                a3 = r3.fma(t0, a3);
                b0 = r0.fma(t1, b0);
                b1 = r1.fma(t1, b1);
                b2 = r2.fma(t1, b2);
                b3 = r3.fma(t1, b3);
                c0 = r0.fma(t2, c0);
                c1 = r1.fma(t2, c1);
                c2 = r2.fma(t2, c2);
                c3 = r3.fma(t2, c3);
                d0 = r0.fma(t3, d0);
                d1 = r1.fma(t3, d1);
                d2 = r2.fma(t3, d2);
                d3 = r3.fma(t3, d3);
            }
            int base = 16 * phase * lanes;
            a0.intoArray(scratch, base);
            a1.intoArray(scratch, base + lanes);
            a2.intoArray(scratch, base + 2 * lanes);
            a3.intoArray(scratch, base + 3 * lanes);
            b0.intoArray(scratch, base + 4 * lanes);
            b1.intoArray(scratch, base + 5 * lanes);
            b2.intoArray(scratch, base + 6 * lanes);
            b3.intoArray(scratch, base + 7 * lanes);
            c0.intoArray(scratch, base + 8 * lanes);
            c1.intoArray(scratch, base + 9 * lanes);
            c2.intoArray(scratch, base + 10 * lanes);
            c3.intoArray(scratch, base + 11 * lanes);
            d0.intoArray(scratch, base + 12 * lanes);
            d1.intoArray(scratch, base + 13 * lanes);
            d2.intoArray(scratch, base + 14 * lanes);
            d3.intoArray(scratch, base + 15 * lanes);
        }

        /** Per pair, {@code (acc0 + acc1) + (acc2 + acc3)} as {@link #dot} adds them, into phase 0's slots. */
        private static void combine(float[] scratch) {
            final int lanes = VectorShapes.LANES;
            final int phaseStride = 16 * lanes;
            for (int pair = 0; pair < 16; pair++) {
                int o = pair * lanes;
                FloatVector p0 = FloatVector.fromArray(VectorShapes.F, scratch, o);
                FloatVector p1 = FloatVector.fromArray(VectorShapes.F, scratch, o + phaseStride);
                FloatVector p2 = FloatVector.fromArray(VectorShapes.F, scratch, o + 2 * phaseStride);
                FloatVector p3 = FloatVector.fromArray(VectorShapes.F, scratch, o + 3 * phaseStride);
                p0.add(p1).add(p2.add(p3)).intoArray(scratch, o);
            }
        }

        private static FloatVector load(MemorySegment data, long byteOffset) {
            return FloatVector.fromMemorySegment(VectorShapes.F, data, byteOffset, VectorShapes.LE);
        }
    }
}
