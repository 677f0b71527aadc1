package dev.strata.engine.kv;

/**
 * What every {@link KvRows} storage shares: its shape ({@code numSlots} rows of {@code width} values)
 * and its type; the subclasses hold the arrays and the kernels.
 */
abstract sealed class RowStore implements KvRows permits F32Rows, F16Rows, Q8_0Rows {
    protected final int numSlots;
    protected final int width;
    private final KvCacheType type;

    RowStore(KvCacheType type, int numSlots, int width) {
        this.type = type;
        this.numSlots = numSlots;
        this.width = width;
    }

    @Override
    public final KvCacheType type() {
        return type;
    }

    @Override
    public final int numSlots() {
        return numSlots;
    }

    @Override
    public final int width() {
        return width;
    }
}
