package dev.strata.engine.kv;

import java.util.Arrays;

/**
 * One sequence's view of the shared {@link BlockPool}: its block table (logical block to pool block)
 * and the chained hashes of its full blocks. Attention reads and writes the pool's rows through
 * {@link #slot}; blocks are added by {@link KvCacheManager#allocateSlots} and given back by
 * {@link KvCacheManager#free} (or {@link #release}).
 *
 * <p>Shared blocks (a prefix hit) are always full blocks whose rows were already computed, so no
 * sequence ever writes to a block another one reads: the partial last block is always private.
 * That is why there is no copy-on-write here.
 */
public final class PagedKvCache implements KvCache {
    private final KvCacheManager manager;
    private final BlockPool pool;
    KvBlock[] table = new KvBlock[4];
    int numBlocks;
    /** Chained hashes of the first {@link #numHashed} blocks (those full and known). */
    long[] hashes = new long[4];
    int numHashed;

    PagedKvCache(KvCacheManager manager, BlockPool pool) {
        this.manager = manager;
        this.pool = pool;
    }

    void append(KvBlock b) {
        if (numBlocks == table.length) {
            table = Arrays.copyOf(table, numBlocks * 2);
        }
        table[numBlocks++] = b;
    }

    void appendHash(long h) {
        if (numHashed == hashes.length) {
            hashes = Arrays.copyOf(hashes, numHashed * 2);
        }
        hashes[numHashed++] = h;
    }

    /** Blocks this sequence holds. */
    public int numBlocks() {
        return numBlocks;
    }

    @Override
    public int blockSize() {
        return pool.blockSize();
    }

    /** Positions covered by the blocks held now (grows as slots are allocated). */
    @Override
    public int capacity() {
        return numBlocks * pool.blockSize();
    }

    @Override
    public KvCacheType type() {
        return pool.type();
    }

    @Override
    public int keyWidth() {
        return pool.keyWidth();
    }

    @Override
    public int valueWidth() {
        return pool.valueWidth();
    }

    @Override
    public int physicalBlock(int logicalBlock) {
        if (logicalBlock >= numBlocks) {
            throw new IndexOutOfBoundsException("logical block " + logicalBlock + " of " + numBlocks);
        }
        return table[logicalBlock].id;
    }

    /** Pool block id of logical block {@code logicalBlock} (for tests and diagnostics). */
    public int blockId(int logicalBlock) {
        return physicalBlock(logicalBlock);
    }

    @Override
    public KvRows keys(int layer) {
        return pool.keys(layer);
    }

    @Override
    public KvRows values(int layer) {
        return pool.values(layer);
    }

    /** Gives every block back to the pool ({@link KvCacheManager#free}). Idempotent. */
    @Override
    public void release() {
        manager.free(this);
    }
}
