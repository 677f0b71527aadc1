package dev.strata.engine.kv;

import java.nio.ByteBuffer;

/**
 * A second level of the prefix cache, beyond the pool: full blocks, named by their chained prefix
 * hash ({@link KvCacheManager}), kept as bytes ({@link BlockPool} turns a block's rows into bytes
 * and back). The pool writes a cached block here when it evicts it (and all of them on a clean
 * shutdown, {@link BlockPool#persistCachedBlocks}); {@link KvCacheManager#computedBlocks} reads one
 * back when a prompt's prefix continues past what the pool holds. Used by the engine loop's thread
 * only. A store that cannot read or write says so with a return value, never an exception: losing a
 * cached prefix only costs recomputation.
 */
public interface PrefixStore {

    /** No second level: nothing is kept. */
    PrefixStore NONE = new PrefixStore() {
        @Override
        public boolean contains(long hash) {
            return false;
        }

        @Override
        public boolean read(long hash, ByteBuffer dst) {
            return false;
        }

        @Override
        public void write(long hash, ByteBuffer src) {}
    };

    /** Whether a block named {@code hash} is (believed to be) stored. */
    boolean contains(long hash);

    /**
     * Fills {@code dst}'s remaining bytes with the block named {@code hash}. False, with {@code dst}'s
     * contents unspecified, when it is missing, of another size, corrupt or unreadable.
     */
    boolean read(long hash, ByteBuffer dst);

    /** Keeps {@code src}'s remaining bytes as the block named {@code hash} (best effort). */
    void write(long hash, ByteBuffer src);
}
