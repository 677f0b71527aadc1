package dev.strata.engine.kv;

/**
 * The free blocks of a {@link BlockPool} in eviction order: an intrusive doubly linked list through
 * {@link KvBlock#prevFree}/{@link KvBlock#nextFree} with two sentinels. The head is the least recently
 * freed block (evicted first); freed blocks join at the tail. {@link #remove} is O(1), which a
 * prefix-cache hit needs to revive a cached free block; nothing here allocates. The same structure
 * as vLLM v1's {@code FreeKVCacheBlockQueue}.
 */
final class FreeBlockQueue {
    private final KvBlock head = new KvBlock(-1);
    private final KvBlock tail = new KvBlock(-1);
    private int size;

    FreeBlockQueue() {
        head.nextFree = tail;
        tail.prevFree = head;
    }

    int size() {
        return size;
    }

    void addLast(KvBlock b) {
        KvBlock last = tail.prevFree;
        last.nextFree = b;
        b.prevFree = last;
        b.nextFree = tail;
        tail.prevFree = b;
        size++;
    }

    /** The least recently freed block, unlinked; null when empty. */
    KvBlock pollFirst() {
        if (size == 0) {
            return null;
        }
        KvBlock b = head.nextFree;
        remove(b);
        return b;
    }

    /** The least recently freed block, still linked; null when empty. */
    KvBlock first() {
        return size == 0 ? null : head.nextFree;
    }

    /** The block freed after {@code b}, or null when {@code b} is the last. */
    KvBlock next(KvBlock b) {
        return b.nextFree == tail ? null : b.nextFree;
    }

    void remove(KvBlock b) {
        b.prevFree.nextFree = b.nextFree;
        b.nextFree.prevFree = b.prevFree;
        b.prevFree = null;
        b.nextFree = null;
        size--;
    }
}
