package dev.strata.engine.generate;

import java.nio.file.Path;

/**
 * Where a {@link LocalEngine} keeps its prefix cache across restarts
 * ({@link dev.strata.engine.kv.DiskPrefixStore}): full blocks evicted from the KV pool, and every
 * cached block at a clean {@link LocalEngine#close}, are written to {@code dir}; a later engine on
 * the same model reads them back when a prompt's prefix matches.
 *
 * @param dir      the directory (created if missing)
 * @param maxBytes bound on the block files in it; least recently used files are deleted beyond it
 */
public record KvCacheDisk(Path dir, long maxBytes) {
    /** Default bound: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    public KvCacheDisk {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
        }
    }

    /** {@code dir} with the default bound. */
    public KvCacheDisk(Path dir) {
        this(dir, DEFAULT_MAX_BYTES);
    }
}
