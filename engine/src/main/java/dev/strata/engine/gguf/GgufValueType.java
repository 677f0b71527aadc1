package dev.strata.engine.gguf;

import java.util.Optional;

/** Metadata value types of GGUF v2/v3, numbered as the format stores them. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, 8),
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minSizeBytes;

    GgufValueType(int id, int minSizeBytes) {
        this.id = id;
        this.minSizeBytes = minSizeBytes;
    }

    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type occupies in a file (its fixed size for scalars). */
    int minSizeBytes() {
        return minSizeBytes;
    }

    public static Optional<GgufValueType> fromId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[id]) : Optional.empty();
    }
}
