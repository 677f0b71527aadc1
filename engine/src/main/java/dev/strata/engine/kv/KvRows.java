package dev.strata.engine.kv;

import java.nio.ByteBuffer;

/**
 * One layer's keys or values: {@link #numSlots} rows of {@link #width} values, stored as
 * {@link #type} says. Attention never sees the storage: it writes whole rows and reads through
 * {@link #dot} and {@link #addScaled}, which dequantize on the fly (vector kernels where the Vector
 * API is usable, each with a scalar reference of the same signature).
 *
 * <p>Rows of different slots may be written and read by different threads at once; one slot is
 * never written while it is read (the engine's block table guarantees it).
 */
public sealed interface KvRows permits RowStore {

    KvCacheType type();

    int numSlots();

    int width();

    /** Bytes of storage held: {@code numSlots x type().rowBytes(width)}. */
    long sizeBytes();

    /** Stores {@code src[srcOffset, srcOffset + width)} as row {@code slot} (rounded or quantized as the type says). */
    void write(int slot, float[] src, int srcOffset);

    /** Row {@code slot}, dequantized, into {@code dst[dstOffset, dstOffset + width)}. */
    void read(int slot, float[] dst, int dstOffset);

    /** Sum over {@code j < length} of {@code row[slot][offset + j] * x[xOffset + j]}. */
    float dot(int slot, int offset, float[] x, int xOffset, int length);

    /** {@code out[outOffset + j] += scale * row[slot][offset + j]} for {@code j < length}. */
    void addScaled(int slot, int offset, float scale, float[] out, int outOffset, int length);

    /** Copies the stored bytes of rows {@code [firstSlot, firstSlot + count)} to {@code dst} (little-endian). */
    void exportRows(int firstSlot, int count, ByteBuffer dst);

    /** Replaces rows {@code [firstSlot, firstSlot + count)} by bytes {@link #exportRows} wrote. */
    void importRows(int firstSlot, int count, ByteBuffer src);
}
