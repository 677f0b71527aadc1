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
     * The dot product in the order of the tile kernels {@link #dot4} and {@link #dot4x4}, and their
     * exact reference: one accumulator of {@code LANES} floats, multiply-added vector by vector from
     * the start ({@code acc[l] = fma(a[i + l], b[i + l], acc[l])}), its lanes summed in
     * {@link VectorShapes#sumLanes}'s tree, then the tail ({@code length % LANES} elements) added
     * one by one. Unlike {@link #dot(float[], int, float[], int, int)} (four interleaved accumulators,
     * for one row and one token, where a single chain of multiply-adds would wait on its own latency),
     * a block of sixteen (row, token) pairs has sixteen independent chains, so it needs no more.
     */
    static float tileDot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int lanes = Kernels.VECTOR ? VectorShapes.LANES : 16;
        int body = length - length % lanes;
        float[] acc = new float[lanes];
        for (int i = 0; i < body; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                acc[l] = Math.fma(a[aOffset + i + l], b[bOffset + i + l], acc[l]);
            }
        }
        return laneTreeSum(acc, 0, lanes) + scalarDot(a, aOffset + body, b, bOffset + body, length - body);
    }

    /**
     * The sum of {@code width} (8 or 16) lanes stored at {@code lanes[offset ...]} in the vector
     * kernels' fixed tree: the upper half added lane-wise onto the lower half until one lane remains
     * ({@link VectorShapes#sum}). Plain Java, so the scalar references use it without the vector module.
     */
    static float laneTreeSum(float[] lanes, int offset, int width) {
        float s0 = lanes[offset];
        float s1 = lanes[offset + 1];
        float s2 = lanes[offset + 2];
        float s3 = lanes[offset + 3];
        float s4 = lanes[offset + 4];
        float s5 = lanes[offset + 5];
        float s6 = lanes[offset + 6];
        float s7 = lanes[offset + 7];
        if (width == 16) {
            s0 += lanes[offset + 8];
            s1 += lanes[offset + 9];
            s2 += lanes[offset + 10];
            s3 += lanes[offset + 11];
            s4 += lanes[offset + 12];
            s5 += lanes[offset + 13];
            s6 += lanes[offset + 14];
            s7 += lanes[offset + 15];
        }
        float t0 = s0 + s4;
        float t1 = s1 + s5;
        float t2 = s2 + s6;
        float t3 = s3 + s7;
        return (t0 + t2) + (t1 + t3);
    }

    /** Floats of scratch {@link #dot4} needs: the four tokens' accumulators, spilled for the lane sums. */
    static final int DOT4_SCRATCH = 4 * 16;

    /**
     * {@code out[outOffset + t * outStride] = tileDot(row, x[xOffset + t * length ...])} for
     * {@code t < 4}: four tokens against one row (a row of a tile at {@code row[rowOffset ...]}),
     * loading each row vector once; bit-identical to {@link #tileDot} per token. {@code scratch} holds
     * {@link #DOT4_SCRATCH} floats: the accumulators are summed through it with
     * {@link VectorShapes#sumLanes} because a vector passed to a method C2 does not inline is boxed.
     */
    static void dot4(float[] row, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride, float[] scratch) {
        if (Kernels.VECTOR) {
            Simd.dot4(row, rowOffset, x, xOffset, length, out, outOffset, outStride, scratch);
        } else {
            scalarDot4(row, rowOffset, x, xOffset, length, out, outOffset, outStride);
        }
    }

    /** Floats of scratch {@link #dot4x4} needs: sixteen accumulators of at most sixteen lanes. */
    static final int DOT4X4_SCRATCH = 16 * 16;

    /**
     * A 4 x 4 block of a matrix product: rows {@code k < 4} at {@code tile[rowOffset + k * length ...]}
     * (consecutive rows of a tile) against tokens {@code t < 4} at {@code x[xOffset + t * length ...]},
     * into {@code out[outOffset + t * outStride + k]}. One pass with sixteen accumulators: each step
     * loads four row vectors and four token vectors for sixteen multiply-adds, which is what bounds a
     * compute-bound prefill; the sixteen lane sums are then done together, a few vector adds and
     * permutes ({@link VectorShapes#laneSums}) instead of sixteen scalar trees. Bit-identical to
     * {@link #tileDot} per output, so every output depends only on its row and its token: a token's
     * result is the same bits in whatever batch, at whatever position, it is computed.
     */
    static void dot4x4(float[] tile, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride, float[] scratch) {
        if (Kernels.VECTOR) {
            Simd.dot4x4(tile, rowOffset, x, xOffset, length, out, outOffset, outStride, scratch);
        } else {
            scalarDot4x4(tile, rowOffset, x, xOffset, length, out, outOffset, outStride);
        }
    }

    /** Reference for {@link #dot4x4}: sixteen {@link #tileDot}s. */
    static void scalarDot4x4(float[] tile, int rowOffset, float[] x, int xOffset, int length, float[] out,
            int outOffset, int outStride) {
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < 4; k++) {
                out[outOffset + t * outStride + k] = tileDot(tile, rowOffset + k * length, x, xOffset + t * length,
                        length);
            }
        }
    }

    /** Reference for {@link #dot4}: four {@link #tileDot}s. */
    static void scalarDot4(float[] row, int rowOffset, float[] x, int xOffset, int length, float[] out, int outOffset,
            int outStride) {
        for (int t = 0; t < 4; t++) {
            out[outOffset + t * outStride] = tileDot(row, rowOffset, x, xOffset + t * length, length);
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
            int body = length - length % lanes;
            final int x0 = xOffset;
            final int x1 = xOffset + length;
            final int x2 = xOffset + 2 * length;
            final int x3 = xOffset + 3 * length;
            FloatVector a = FloatVector.zero(VectorShapes.F);
            FloatVector b = a, c = a, d = a;
            for (int i = 0; i < body; i += lanes) {
                FloatVector r = FloatVector.fromArray(VectorShapes.F, row, rowOffset + i);
                a = r.fma(FloatVector.fromArray(VectorShapes.F, x, x0 + i), a);
                b = r.fma(FloatVector.fromArray(VectorShapes.F, x, x1 + i), b);
                c = r.fma(FloatVector.fromArray(VectorShapes.F, x, x2 + i), c);
                d = r.fma(FloatVector.fromArray(VectorShapes.F, x, x3 + i), d);
            }
            int tail = length - body;
            a.intoArray(scratch, 0);
            b.intoArray(scratch, lanes);
            c.intoArray(scratch, 2 * lanes);
            d.intoArray(scratch, 3 * lanes);
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
            int body = length - length % lanes;
            accumulate(tile, rowOffset, x, xOffset, length, body, scratch);
            VectorShapes.laneSums(scratch);
            int tail = length - body;
            for (int t = 0; t < 4; t++) {
                for (int k = 0; k < 4; k++) {
                    float sum = scratch[VectorShapes.LANE_SUMS + 4 * t + k];
                    out[outOffset + t * outStride + k] = tail == 0 ? sum
                            : sum + scalarDot(tile, rowOffset + k * length + body, x, xOffset + t * length + body, tail);
                }
            }
        }

        /**
         * The sixteen accumulators of {@link #dot4x4}, one pass over the body, stored at
         * {@code scratch[(4 * t + k) * LANES]} for token {@code t} and row {@code k}.
         */
        private static void accumulate(float[] tile, int rowOffset, float[] x, int xOffset, int length, int body,
                float[] scratch) {
            final int lanes = VectorShapes.LANES;
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
            for (int i = 0; i < body; i += lanes) {
                FloatVector r0 = FloatVector.fromArray(VectorShapes.F, tile, w0 + i);
                FloatVector r1 = FloatVector.fromArray(VectorShapes.F, tile, w1 + i);
                FloatVector r2 = FloatVector.fromArray(VectorShapes.F, tile, w2 + i);
                FloatVector r3 = FloatVector.fromArray(VectorShapes.F, tile, w3 + i);
                FloatVector t = FloatVector.fromArray(VectorShapes.F, x, x0 + i);
                a0 = r0.fma(t, a0);
                a1 = r1.fma(t, a1);
                a2 = r2.fma(t, a2);
                a3 = r3.fma(t, a3);
                t = FloatVector.fromArray(VectorShapes.F, x, x1 + i);
                b0 = r0.fma(t, b0);
                b1 = r1.fma(t, b1);
                b2 = r2.fma(t, b2);
                b3 = r3.fma(t, b3);
                t = FloatVector.fromArray(VectorShapes.F, x, x2 + i);
                c0 = r0.fma(t, c0);
                c1 = r1.fma(t, c1);
                c2 = r2.fma(t, c2);
                c3 = r3.fma(t, c3);
                t = FloatVector.fromArray(VectorShapes.F, x, x3 + i);
                d0 = r0.fma(t, d0);
                d1 = r1.fma(t, d1);
                d2 = r2.fma(t, d2);
                d3 = r3.fma(t, d3);
            }
            a0.intoArray(scratch, 0);
            a1.intoArray(scratch, lanes);
            a2.intoArray(scratch, 2 * lanes);
            a3.intoArray(scratch, 3 * lanes);
            b0.intoArray(scratch, 4 * lanes);
            b1.intoArray(scratch, 5 * lanes);
            b2.intoArray(scratch, 6 * lanes);
            b3.intoArray(scratch, 7 * lanes);
            c0.intoArray(scratch, 8 * lanes);
            c1.intoArray(scratch, 9 * lanes);
            c2.intoArray(scratch, 10 * lanes);
            c3.intoArray(scratch, 11 * lanes);
            d0.intoArray(scratch, 12 * lanes);
            d1.intoArray(scratch, 13 * lanes);
            d2.intoArray(scratch, 14 * lanes);
            d3.intoArray(scratch, 15 * lanes);
        }

        private static FloatVector load(MemorySegment data, long byteOffset) {
            return FloatVector.fromMemorySegment(VectorShapes.F, data, byteOffset, VectorShapes.LE);
        }
    }
}
