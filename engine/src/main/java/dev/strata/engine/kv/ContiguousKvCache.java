package dev.strata.engine.kv;

/**
 * A cache that owns its storage: {@code ceil(capacity / blockSize)} blocks mapped one to one
 * (logical block {@code b} is physical block {@code b}). Allocated once when the sequence starts,
 * sized for the tokens it may ever hold (prompt + max tokens, at most the context), not for the
 * whole context.
 */
public final class ContiguousKvCache implements KvCache {
    /** Default tokens per block; the same value a paged pool would use. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final int blockSize;
    private final int capacity;
    private final int keyWidth;
    private final int valueWidth;
    private final KvCacheType type;
    private KvRows[] keys;
    private KvRows[] values;

    public ContiguousKvCache(int numLayers, int keyWidth, int valueWidth, int capacity) {
        this(numLayers, keyWidth, valueWidth, capacity, DEFAULT_BLOCK_SIZE);
    }

    public ContiguousKvCache(int numLayers, int keyWidth, int valueWidth, int capacity, int blockSize) {
        this(numLayers, keyWidth, valueWidth, capacity, blockSize, KvCacheType.F32);
    }

    public ContiguousKvCache(int numLayers, int keyWidth, int valueWidth, int capacity, int blockSize,
            KvCacheType type) {
        if (numLayers < 1 || keyWidth < 1 || valueWidth < 1 || capacity < 1 || blockSize < 1) {
            throw new IllegalArgumentException("numLayers, keyWidth, valueWidth, capacity and blockSize must be >= 1, got "
                    + numLayers + ", " + keyWidth + ", " + valueWidth + ", " + capacity + ", " + blockSize);
        }
        int numBlocks = (capacity + blockSize - 1) / blockSize;
        long slots = (long) numBlocks * blockSize;
        if (slots * Math.max(keyWidth, valueWidth) > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + capacity + " tokens x " + Math.max(keyWidth, valueWidth)
                    + " values per layer does not fit one array");
        }
        this.blockSize = blockSize;
        this.capacity = capacity;
        this.keyWidth = keyWidth;
        this.valueWidth = valueWidth;
        this.type = type;
        this.keys = new KvRows[numLayers];
        this.values = new KvRows[numLayers];
        for (int layer = 0; layer < numLayers; layer++) {
            keys[layer] = type.newRows((int) slots, keyWidth);
            values[layer] = type.newRows((int) slots, valueWidth);
        }
    }

    /** Bytes of F32 K/V storage a cache for {@code capacity} tokens holds (for accounting). */
    public static long sizeBytes(int numLayers, int keyWidth, int valueWidth, int capacity, int blockSize) {
        long slots = (long) ((capacity + blockSize - 1) / blockSize) * blockSize;
        return slots * numLayers * (keyWidth + valueWidth) * Float.BYTES;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public KvCacheType type() {
        return type;
    }

    @Override
    public int keyWidth() {
        return keyWidth;
    }

    @Override
    public int valueWidth() {
        return valueWidth;
    }

    @Override
    public int physicalBlock(int logicalBlock) {
        return logicalBlock;
    }

    @Override
    public int slot(int position) {
        return position;
    }

    @Override
    public KvRows keys(int layer) {
        return checked(keys)[layer];
    }

    @Override
    public KvRows values(int layer) {
        return checked(values)[layer];
    }

    private static KvRows[] checked(KvRows[] storage) {
        if (storage == null) {
            throw new IllegalStateException("KV cache used after release");
        }
        return storage;
    }

    @Override
    public void release() {
        keys = null;
        values = null;
    }
}
