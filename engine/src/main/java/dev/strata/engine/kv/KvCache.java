package dev.strata.engine.kv;

/**
 * The keys and values of one sequence, stored in fixed-size blocks and addressed through a block
 * table. Storage is one {@link KvRows} per layer for keys and one for values, a row per token slot
 * laid out {@code [physical block][row within block]}, stored as the pool's {@link KvCacheType}
 * says; the rows may be shared with other sequences (a paged pool), so a cache only ever touches the
 * slots its block table maps.
 *
 * <p>Written by the model's forward pass on the engine's compute threads; one sequence's cache is
 * never used by two forward passes at once.
 */
public interface KvCache {

    /** Tokens per block. */
    int blockSize();

    /** Positions {@code [0, capacity())} may be written. */
    int capacity();

    /** How rows are stored (F32, F16, Q8_0). */
    KvCacheType type();

    /** Values per token in {@link #keys} (kv heads x key head size). */
    int keyWidth();

    /** Values per token in {@link #values} (kv heads x value head size). */
    int valueWidth();

    /** The physical block holding logical block {@code logicalBlock} (= position / blockSize). */
    int physicalBlock(int logicalBlock);

    /** Key rows of {@code layer}: token slot {@code s} is row {@code s}, {@link #keyWidth} values. */
    KvRows keys(int layer);

    /** Value rows of {@code layer}: token slot {@code s} is row {@code s}, {@link #valueWidth} values. */
    KvRows values(int layer);

    /** The storage slot (physical row) of token {@code position}. */
    default int slot(int position) {
        int bs = blockSize();
        return physicalBlock(position / bs) * bs + position % bs;
    }

    /** Gives the memory back; the cache must not be used afterwards. Idempotent. */
    void release();
}
