package dev.strata.engine.kv;

import java.util.Locale;

/**
 * How K/V rows are stored: {@link #F32} (exact), {@link #F16} (half precision, half the memory) or
 * {@link #Q8_0} (ggml's Q8_0 layout: blocks of {@value #Q8_0_BLOCK} signed bytes sharing one fp16
 * scale, 34 bytes per 32 values, about 27 % of F32). Attention dequantizes while it reads.
 */
public enum KvCacheType {
    F32("f32"),
    F16("f16"),
    Q8_0("q8_0");

    /** Values per Q8_0 block. */
    public static final int Q8_0_BLOCK = 32;
    /** Bytes of one Q8_0 block: an fp16 scale and 32 signed bytes. */
    public static final int Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK;

    private final String cliName;

    KvCacheType(String cliName) {
        this.cliName = cliName;
    }

    /** The name flags and config files use: {@code f32}, {@code f16}, {@code q8_0}. */
    public String cliName() {
        return cliName;
    }

    /** Bytes one stored row of {@code width} values takes (Q8_0: a partial last block still costs a scale). */
    public long rowBytes(int width) {
        return switch (this) {
            case F32 -> (long) width * Float.BYTES;
            case F16 -> (long) width * Short.BYTES;
            case Q8_0 -> width + (long) Short.BYTES * blocksPerRow(width);
        };
    }

    /** A row store of {@code numSlots} rows of {@code width} values, all zero. */
    public KvRows newRows(int numSlots, int width) {
        return switch (this) {
            case F32 -> new F32Rows(numSlots, width);
            case F16 -> new F16Rows(numSlots, width);
            case Q8_0 -> new Q8_0Rows(numSlots, width);
        };
    }

    static int blocksPerRow(int width) {
        return (width + Q8_0_BLOCK - 1) / Q8_0_BLOCK;
    }

    /**
     * The type named {@code name} ({@code f32}, {@code f16}, {@code q8_0}; case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static KvCacheType parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (KvCacheType t : values()) {
            if (t.cliName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown KV cache type \"" + name + "\"; use f32, f16 or q8_0");
    }
}
