package dev.strata.engine.kv;

/**
 * One block of the pool: {@code blockSize} token rows of every layer's keys and values. Carries its
 * reference count, its prefix-cache hash (when full and cached) and its links in the pool's free
 * queue, so that queue needs no node objects and removes a revived block in O(1).
 */
public final class KvBlock {
    final int id;
    int refCount;
    /** Hash of this block's tokens chained with every earlier token's; {@link #NO_HASH} when not cached. */
    long hash = NO_HASH;
    boolean cached;
    /** Whether the {@link PrefixStore} holds this block's rows under {@link #hash}. */
    boolean persisted;
    KvBlock prevFree;
    KvBlock nextFree;

    static final long NO_HASH = 0;

    KvBlock(int id) {
        this.id = id;
    }

    /** The block's index in the pool's storage. */
    public int id() {
        return id;
    }

    public int refCount() {
        return refCount;
    }

    boolean isInFreeQueue() {
        return prevFree != null;
    }
}
