package dev.strata.server.config;

import dev.strata.engine.kv.KvCacheType;
import java.nio.file.Path;

/**
 * How the embedded engine serves one model: the knobs of
 * {@link dev.strata.engine.generate.EngineOptions} a deployment tunes. {@code null} (and 0 for
 * {@code kvMemoryBytes}) keeps the loader's default, so an absent YAML key changes nothing.
 *
 * @param kvMemoryBytes  cap on the KV pool in bytes ({@code kv_memory}); 0 = the engine's automatic budget
 * @param blockSize      tokens per KV block ({@code block_size})
 * @param maxSequences   sequences stepped together ({@code max_num_seqs})
 * @param maxBatchTokens tokens per forward pass ({@code max_batched_tokens}); at least {@code maxSequences}
 * @param maxWaiting     requests queued beyond the running ones ({@code max_waiting}); more are refused with 503.
 *                       At least 1: every request passes through the engine's queue before it runs, so
 *                       {@link dev.strata.engine.generate.LocalEngine} with 0 would refuse everything.
 * @param kvCacheType    how K/V rows are stored ({@code kv_cache_type}: f32, f16, q8_0); null = f32
 * @param kvCacheDir     where the prefix cache persists across restarts ({@code kv_cache_dir}); each model
 *                       keeps its blocks in a subdirectory named for its id; null = not persisted
 * @param kvCacheDiskMaxBytes bound on that model's subdirectory ({@code kv_cache_disk_max}); 0 = 1 GiB
 */
public record ServingOptions(long kvMemoryBytes, Integer blockSize, Integer maxSequences, Integer maxBatchTokens,
        Integer maxWaiting, KvCacheType kvCacheType, Path kvCacheDir, long kvCacheDiskMaxBytes) {
    /** Every knob at its default. */
    public static final ServingOptions DEFAULTS = new ServingOptions(0, null, null, null, null, null, null, 0);

    /** Default (F32) K/V storage, not persisted. */
    public ServingOptions(long kvMemoryBytes, Integer blockSize, Integer maxSequences, Integer maxBatchTokens,
            Integer maxWaiting) {
        this(kvMemoryBytes, blockSize, maxSequences, maxBatchTokens, maxWaiting, null, null, 0);
    }

    public ServingOptions {
        if (kvMemoryBytes < 0) {
            throw new IllegalArgumentException("kvMemoryBytes must be >= 0, got " + kvMemoryBytes);
        }
        if (blockSize != null && (blockSize < 1 || blockSize > 1024)) {
            throw new IllegalArgumentException("blockSize must be in [1, 1024], got " + blockSize);
        }
        if (maxSequences != null && maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        if (maxBatchTokens != null && maxBatchTokens < 1) {
            throw new IllegalArgumentException("maxBatchTokens must be >= 1, got " + maxBatchTokens);
        }
        if (maxSequences != null && maxBatchTokens != null && maxBatchTokens < maxSequences) {
            throw new IllegalArgumentException("maxBatchTokens (" + maxBatchTokens + ") must be >= maxSequences ("
                    + maxSequences + ")");
        }
        if (kvCacheDiskMaxBytes < 0) {
            throw new IllegalArgumentException("kvCacheDiskMaxBytes must be >= 0, got " + kvCacheDiskMaxBytes);
        }
        if (maxWaiting != null && maxWaiting < 1) {
            throw new IllegalArgumentException("maxWaiting must be >= 1, got " + maxWaiting);
        }
    }
}
