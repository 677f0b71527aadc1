package dev.strata.engine.kv;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;

/**
 * The one pool of KV memory of an engine: {@code numBlocks} fixed-size blocks of {@code blockSize}
 * token rows, stored as one {@link KvRows} per layer for keys and one for values (row
 * {@code block * blockSize + row}, the layout {@link KvCache} describes) in the pool's
 * {@link KvCacheType}. The pool owns the blocks' reference
 * counts, the free queue (LRU order, {@link FreeBlockQueue}) and the prefix cache's hash-to-block
 * map; it decides nothing (that is {@link KvCacheManager}'s and the scheduler's job).
 *
 * <p>A free block may still be cached: its contents stay valid and findable by hash until the pool
 * hands it out again, which happens least-recently-freed first. So unreferenced prefixes survive
 * until memory is needed (vLLM v1's {@code BlockPool}).
 *
 * <p>All storage is allocated once, here; {@link #sizeBytes} is what it holds. Used by one thread
 * (the engine loop; the compute threads only read and write rows through a {@link KvCache}).
 */
public final class BlockPool {
    /** Bytes a block costs beyond its K/V rows: its object, a block-table entry, a hash-map entry (upper bound). */
    public static final int BLOCK_OVERHEAD_BYTES = 128;

    private final int blockSize;
    private final int keyWidth;
    private final int valueWidth;
    private final KvCacheType type;
    private final KvRows[] keys;
    private final KvRows[] values;
    private final KvBlock[] blocks;
    private final FreeBlockQueue freeQueue = new FreeBlockQueue();
    private final PrefixStore store;
    /** One block's rows as bytes, for the store; allocated once, only when there is a store. */
    private final ByteBuffer transfer;
    private long numStoreLoads;
    private final HashMap<Long, KvBlock> cachedBlocks = new HashMap<>();
    private long numEvictedBlocks;

    public BlockPool(int numBlocks, int blockSize, int numLayers, int keyWidth, int valueWidth) {
        this(numBlocks, blockSize, numLayers, keyWidth, valueWidth, KvCacheType.F32);
    }

    public BlockPool(int numBlocks, int blockSize, int numLayers, int keyWidth, int valueWidth, KvCacheType type) {
        this(numBlocks, blockSize, numLayers, keyWidth, valueWidth, type, PrefixStore.NONE);
    }

    /**
     * A pool whose evicted cached blocks go to {@code store} (seven parameters: the layout of the rows,
     * their storage type, and the second cache level; a layout record would only move them).
     */
    public BlockPool(int numBlocks, int blockSize, int numLayers, int keyWidth, int valueWidth, KvCacheType type,
            PrefixStore store) {
        if (numBlocks < 1 || blockSize < 1 || numLayers < 1 || keyWidth < 1 || valueWidth < 1) {
            throw new IllegalArgumentException("numBlocks, blockSize, numLayers, keyWidth and valueWidth must be >= 1, got "
                    + numBlocks + ", " + blockSize + ", " + numLayers + ", " + keyWidth + ", " + valueWidth);
        }
        long elements = (long) numBlocks * blockSize * Math.max(keyWidth, valueWidth);
        if (elements > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV pool of " + numBlocks + " blocks x " + blockSize + " tokens x "
                    + Math.max(keyWidth, valueWidth) + " values per layer does not fit one array");
        }
        this.blockSize = blockSize;
        this.keyWidth = keyWidth;
        this.valueWidth = valueWidth;
        this.type = type;
        this.keys = new KvRows[numLayers];
        this.values = new KvRows[numLayers];
        for (int layer = 0; layer < numLayers; layer++) {
            keys[layer] = type.newRows(numBlocks * blockSize, keyWidth);
            values[layer] = type.newRows(numBlocks * blockSize, valueWidth);
        }
        this.store = store;
        long blockBytes = bytesPerBlock(blockSize, numLayers, keyWidth, valueWidth, type);
        if (store != PrefixStore.NONE && blockBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a KV block of " + blockBytes + " bytes is too large to persist");
        }
        this.transfer = store == PrefixStore.NONE ? null
                : ByteBuffer.allocate((int) blockBytes).order(ByteOrder.LITTLE_ENDIAN);
        this.blocks = new KvBlock[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            blocks[i] = new KvBlock(i);
            freeQueue.addLast(blocks[i]);
        }
    }

    /**
     * The largest pool whose storage plus per-block overhead stays within {@code kvMemoryBytes}.
     *
     * @throws IllegalArgumentException when the budget holds less than one block
     */
    public static BlockPool ofBudget(long kvMemoryBytes, int blockSize, int numLayers, int keyWidth, int valueWidth) {
        return ofBudget(kvMemoryBytes, blockSize, numLayers, keyWidth, valueWidth, KvCacheType.F32);
    }

    /** As {@link #ofBudget(long, int, int, int, int)}, rows stored as {@code type}. */
    public static BlockPool ofBudget(long kvMemoryBytes, int blockSize, int numLayers, int keyWidth, int valueWidth,
            KvCacheType type) {
        return ofBudget(kvMemoryBytes, blockSize, numLayers, keyWidth, valueWidth, type, PrefixStore.NONE);
    }

    /** As above, evicted cached blocks going to {@code store}. */
    public static BlockPool ofBudget(long kvMemoryBytes, int blockSize, int numLayers, int keyWidth, int valueWidth,
            KvCacheType type, PrefixStore store) {
        long perBlock = bytesPerBlock(blockSize, numLayers, keyWidth, valueWidth, type) + BLOCK_OVERHEAD_BYTES;
        long numBlocks = kvMemoryBytes / perBlock;
        if (numBlocks < 1) {
            throw new IllegalArgumentException("kvMemoryBytes " + kvMemoryBytes + " holds no block of " + blockSize
                    + " tokens (" + perBlock + " bytes)");
        }
        return new BlockPool((int) Math.min(numBlocks, Integer.MAX_VALUE / 2), blockSize, numLayers, keyWidth, valueWidth,
                type, store);
    }

    /** K/V bytes of one F32 block: {@code blockSize x layers x (keyWidth + valueWidth) x 4}. */
    public static long bytesPerBlock(int blockSize, int numLayers, int keyWidth, int valueWidth) {
        return bytesPerBlock(blockSize, numLayers, keyWidth, valueWidth, KvCacheType.F32);
    }

    /**
     * K/V bytes of one block stored as {@code type}: {@code blockSize x layers x (rowBytes(keyWidth) +
     * rowBytes(valueWidth))}, i.e. 4, 2 or 34/32 bytes per value.
     */
    public static long bytesPerBlock(int blockSize, int numLayers, int keyWidth, int valueWidth, KvCacheType type) {
        return (long) blockSize * numLayers * (type.rowBytes(keyWidth) + type.rowBytes(valueWidth));
    }

    /** K/V bytes of one block of this pool. */
    public long bytesPerBlock() {
        return bytesPerBlock(blockSize, keys.length, keyWidth, valueWidth, type);
    }

    /** Bytes this pool holds: K/V storage plus the per-block overhead bound. */
    public long sizeBytes() {
        return (long) blocks.length * (bytesPerBlock() + BLOCK_OVERHEAD_BYTES);
    }

    /** Bytes the K/V row stores actually allocated (without the overhead bound); equals {@code numBlocks x bytesPerBlock()}. */
    public long storageBytes() {
        long sum = 0;
        for (int layer = 0; layer < keys.length; layer++) {
            sum += keys[layer].sizeBytes() + values[layer].sizeBytes();
        }
        return sum;
    }

    public KvCacheType type() {
        return type;
    }

    public int blockSize() {
        return blockSize;
    }

    public int numBlocks() {
        return blocks.length;
    }

    public int numLayers() {
        return keys.length;
    }

    public int keyWidth() {
        return keyWidth;
    }

    public int valueWidth() {
        return valueWidth;
    }

    /** Blocks no sequence references (some may still hold cached prefixes). */
    public int numFreeBlocks() {
        return freeQueue.size();
    }

    /** Fraction of blocks referenced by some sequence. */
    public double usage() {
        return 1.0 - (double) freeQueue.size() / blocks.length;
    }

    /** Cumulative: cached blocks handed out again, forgetting their prefix (prefix-cache evictions). */
    public long numEvictedBlocks() {
        return numEvictedBlocks;
    }

    /** Blocks findable by hash (referenced or not). */
    public int numCachedBlocks() {
        return cachedBlocks.size();
    }

    KvRows keys(int layer) {
        return keys[layer];
    }

    KvRows values(int layer) {
        return values[layer];
    }

    /**
     * Takes the least recently freed block, forgetting its cached prefix if it had one; its
     * reference count becomes 1. Null when every block is referenced ("no room" is a value).
     */
    KvBlock allocate() {
        KvBlock b = freeQueue.pollFirst();
        if (b == null) {
            return null;
        }
        if (b.cached && !b.persisted && store != PrefixStore.NONE) {
            persist(b); // evicted from the pool, kept on the store
        }
        if (b.cached) {
            numEvictedBlocks++;
            cachedBlocks.remove(b.hash);
            b.cached = false;
            b.hash = KvBlock.NO_HASH;
        }
        b.persisted = false;
        b.refCount = 1;
        return b;
    }

    /** Whether evicted prefixes go to a {@link PrefixStore} (and can come back from it). */
    boolean hasStore() {
        return store != PrefixStore.NONE;
    }

    /** Whether the store (believes it) holds the block named {@code hash}. */
    boolean storeHas(long hash) {
        return store.contains(hash);
    }

    /**
     * The block named {@code hash}, read back from the store into a newly allocated block (which may
     * evict the least recently freed one), cached and with reference count 1; null when the store does
     * not have it, cannot read it, or no block is free.
     */
    KvBlock loadFromStore(long hash) {
        if (!store.contains(hash)) {
            return null;
        }
        KvBlock b = allocate();
        if (b == null) {
            return null;
        }
        transfer.clear();
        if (!store.read(hash, transfer)) {
            free(b);
            return null;
        }
        transfer.flip();
        int first = b.id * blockSize;
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer].importRows(first, blockSize, transfer);
            values[layer].importRows(first, blockSize, transfer);
        }
        cache(b, hash);
        b.persisted = true;
        numStoreLoads++;
        return b;
    }

    /** Blocks read back from the store since the pool was made. */
    public long numStoreLoads() {
        return numStoreLoads;
    }

    /**
     * Writes every cached block the store does not hold yet (a clean shutdown), most recently used
     * last so the store's LRU order follows the pool's. No-op without a store.
     */
    public void persistCachedBlocks() {
        if (store == PrefixStore.NONE) {
            return;
        }
        for (KvBlock b : blocks) {
            if (b.cached && !b.persisted && b.refCount > 0) {
                persist(b);
            }
        }
        for (KvBlock b = freeQueue.first(); b != null; b = freeQueue.next(b)) {
            if (b.cached && !b.persisted) {
                persist(b);
            }
        }
    }

    private void persist(KvBlock b) {
        transfer.clear();
        int first = b.id * blockSize;
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer].exportRows(first, blockSize, transfer);
            values[layer].exportRows(first, blockSize, transfer);
        }
        transfer.flip();
        store.write(b.hash, transfer);
        b.persisted = true;
    }

    /** Adds a reference to a block found in the cache, reviving it from the free queue if needed. */
    void touch(KvBlock b) {
        if (b.refCount == 0) {
            freeQueue.remove(b);
        }
        b.refCount++;
    }

    /** Drops a reference; a block nobody references joins the free queue's tail (evicted last). */
    void free(KvBlock b) {
        if (b.refCount <= 0) {
            throw new IllegalStateException("block " + b.id + " freed more often than referenced");
        }
        if (--b.refCount == 0) {
            freeQueue.addLast(b);
        }
    }

    /** The cached full block whose chained hash is {@code hash}, or null. */
    KvBlock cachedBlock(long hash) {
        return cachedBlocks.get(hash);
    }

    /**
     * Makes a full, computed block findable by {@code hash}. If another block already holds that
     * prefix, this one stays uncached (two sequences computed the same prefix at once).
     */
    void cache(KvBlock b, long hash) {
        if (b.cached) {
            return;
        }
        if (cachedBlocks.putIfAbsent(hash, b) == null) {
            b.cached = true;
            b.hash = hash;
        }
    }

    /** Forgets every cached prefix (blocks stay as they are); for tests and resets. */
    public void clearPrefixCache() {
        for (KvBlock b : cachedBlocks.values()) {
            b.cached = false;
            b.hash = KvBlock.NO_HASH;
        }
        cachedBlocks.clear();
    }
}
