package dev.strata.engine.kv;

/**
 * The keys and values of one sequence, stored in fixed-size blocks and addressed through a block
 * table. Storage is one float array per layer for keys and one for values, each laid out as
 * {@code [physical block][row within block][width]}; the arrays may be shared with other sequences
 * (a paged pool), so a cache only ever touches the slots its block table maps.
 *
 * <p>Written by the model's forward pass on the engine's compute threads; one sequence's cache is
 * never used by two forward passes at once.
 */
public interface KvCache {

    /** Tokens per block. */
    int blockSize();

    /** Positions {@code [0, capacity())} may be written. */
    int capacity();

    /** Floats per token in {@link #keys} (kv heads x key head size). */
    int keyWidth();

    /** Floats per token in {@link #values} (kv heads x value head size). */
    int valueWidth();

    /** The physical block holding logical block {@code logicalBlock} (= position / blockSize). */
    int physicalBlock(int logicalBlock);

    /** Key storage of {@code layer}: token slot {@code s} occupies {@code [s * keyWidth, (s + 1) * keyWidth)}. */
    float[] keys(int layer);

    /** Value storage of {@code layer}: token slot {@code s} occupies {@code [s * valueWidth, (s + 1) * valueWidth)}. */
    float[] values(int layer);

    /** The storage slot (physical row) of token {@code position}. */
    default int slot(int position) {
        int bs = blockSize();
        return physicalBlock(position / bs) * bs + position % bs;
    }

    /** Gives the memory back; the cache must not be used afterwards. Idempotent. */
    void release();
}
