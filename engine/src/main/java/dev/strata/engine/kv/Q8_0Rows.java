package dev.strata.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Rows stored as ggml's Q8_0: each run of {@value KvCacheType#Q8_0_BLOCK} values of a row (the last
 * one may be shorter) is {@code d = max|x| / 127} kept as fp16 and {@code q = round(x / d)} as signed
 * bytes, so value {@code j} reads back as {@code d * q[j]}. Quants and scales live in two arrays
 * ({@code quants[slot * width + j]}, {@code scales[slot * blocksPerRow + j / 32]}), 34 bytes per 32
 * values in all, as in ggml's {@code block_q8_0}.
 */
final class Q8_0Rows extends RowStore {
    private static final int BLOCK = KvCacheType.Q8_0_BLOCK;

    private final int blocksPerRow;
    private final byte[] quants;
    private final short[] scales;

    Q8_0Rows(int numSlots, int width) {
        super(KvCacheType.Q8_0, numSlots, width);
        this.blocksPerRow = KvCacheType.blocksPerRow(width);
        this.quants = new byte[Math.multiplyExact(numSlots, width)];
        this.scales = new short[Math.multiplyExact(numSlots, blocksPerRow)];
    }

    /** The backing arrays, for the kernel tests. */
    byte[] quants() {
        return quants;
    }

    short[] scales() {
        return scales;
    }

    @Override
    public long sizeBytes() {
        return quants.length + (long) scales.length * Short.BYTES;
    }

    @Override
    public void write(int slot, float[] src, int srcOffset) {
        for (int b = 0; b < blocksPerRow; b++) {
            int from = b * BLOCK;
            int to = Math.min(width, from + BLOCK);
            float amax = 0f;
            for (int j = from; j < to; j++) {
                amax = Math.max(amax, Math.abs(src[srcOffset + j]));
            }
            float d = amax / 127f;
            float inverse = d == 0f ? 0f : 1f / d;
            scales[slot * blocksPerRow + b] = Float.floatToFloat16(d);
            for (int j = from; j < to; j++) {
                quants[slot * width + j] = (byte) Math.round(src[srcOffset + j] * inverse);
            }
        }
    }

    @Override
    public void read(int slot, float[] dst, int dstOffset) {
        for (int j = 0; j < width; j++) {
            dst[dstOffset + j] = Float.float16ToFloat(scales[slot * blocksPerRow + j / BLOCK]) * quants[slot * width + j];
        }
    }

    @Override
    public float dot(int slot, int offset, float[] x, int xOffset, int length) {
        if (KvVectors.VECTOR && offset % BLOCK == 0 && length % BLOCK == 0) {
            return Simd.dot(quants, scales, slot * width + offset, slot * blocksPerRow + offset / BLOCK, x, xOffset,
                    length);
        }
        return scalarDot(quants, scales, slot, width, blocksPerRow, offset, x, xOffset, length);
    }

    @Override
    public void addScaled(int slot, int offset, float scale, float[] out, int outOffset, int length) {
        if (KvVectors.VECTOR && offset % BLOCK == 0 && length % BLOCK == 0) {
            Simd.addScaled(quants, scales, slot * width + offset, slot * blocksPerRow + offset / BLOCK, scale, out,
                    outOffset, length);
        } else {
            scalarAddScaled(quants, scales, slot, width, blocksPerRow, offset, scale, out, outOffset, length);
        }
    }

    @Override
    public void exportRows(int firstSlot, int count, ByteBuffer dst) {
        dst.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(scales, firstSlot * blocksPerRow, count * blocksPerRow);
        dst.position(dst.position() + count * blocksPerRow * Short.BYTES);
        dst.put(quants, firstSlot * width, count * width);
    }

    @Override
    public void importRows(int firstSlot, int count, ByteBuffer src) {
        src.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(scales, firstSlot * blocksPerRow, count * blocksPerRow);
        src.position(src.position() + count * blocksPerRow * Short.BYTES);
        src.get(quants, firstSlot * width, count * width);
    }

    /** Reference dot over any range of a row: per block, the quants' dot times the block's scale. */
    static float scalarDot(byte[] quants, short[] scales, int slot, int width, int blocksPerRow, int offset,
            float[] x, int xOffset, int length) {
        float sum = 0f;
        int j = offset;
        int end = offset + length;
        while (j < end) {
            int block = j / BLOCK;
            int blockEnd = Math.min(end, (block + 1) * BLOCK);
            float partial = 0f;
            for (; j < blockEnd; j++) {
                partial += quants[slot * width + j] * x[xOffset + j - offset];
            }
            sum += partial * Float.float16ToFloat(scales[slot * blocksPerRow + block]);
        }
        return sum;
    }

    static void scalarAddScaled(byte[] quants, short[] scales, int slot, int width, int blocksPerRow, int offset,
            float scale, float[] out, int outOffset, int length) {
        for (int j = offset; j < offset + length; j++) {
            float factor = scale * Float.float16ToFloat(scales[slot * blocksPerRow + j / BLOCK]);
            out[outOffset + j - offset] += factor * quants[slot * width + j];
        }
    }

    /** Vector kernels for whole, aligned blocks (head sizes of 32, 64, 128...). */
    static final class Simd {
        private Simd() {}

        /** @param at index of the first quant, {@code scaleAt} of its block's scale */
        static float dot(byte[] quants, short[] scales, int at, int scaleAt, float[] x, int xOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            FloatVector acc = FloatVector.zero(KvVectors.Shapes.F);
            for (int b = 0; b < length / BLOCK; b++) {
                FloatVector block = FloatVector.zero(KvVectors.Shapes.F);
                for (int j = b * BLOCK; j < (b + 1) * BLOCK; j += lanes) {
                    block = KvVectors.Shapes.widenBytes(quants, at + j)
                            .fma(FloatVector.fromArray(KvVectors.Shapes.F, x, xOffset + j), block);
                }
                acc = block.fma(FloatVector.broadcast(KvVectors.Shapes.F, Float.float16ToFloat(scales[scaleAt + b])), acc);
            }
            return KvVectors.Shapes.sum(acc);
        }

        static void addScaled(byte[] quants, short[] scales, int at, int scaleAt, float scale, float[] out,
                int outOffset, int length) {
            int lanes = KvVectors.Shapes.LANES;
            for (int b = 0; b < length / BLOCK; b++) {
                FloatVector factor = FloatVector.broadcast(KvVectors.Shapes.F,
                        scale * Float.float16ToFloat(scales[scaleAt + b]));
                for (int j = b * BLOCK; j < (b + 1) * BLOCK; j += lanes) {
                    KvVectors.Shapes.widenBytes(quants, at + j)
                            .fma(factor, FloatVector.fromArray(KvVectors.Shapes.F, out, outOffset + j))
                            .intoArray(out, outOffset + j);
                }
            }
        }
    }
}
