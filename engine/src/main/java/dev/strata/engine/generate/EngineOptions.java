package dev.strata.engine.generate;

import dev.strata.engine.kv.KvCacheType;

/**
 * How a {@link LocalEngine} runs its model.
 *
 * @param threads        compute threads (platform threads, one per core is the sensible maximum)
 * @param maxSequences   sequences running at once (vLLM's {@code max_num_seqs}); more wait
 * @param maxBatchTokens tokens per forward pass, decode tokens plus prompt chunks (vLLM's
 *                       {@code max_num_batched_tokens}); at least {@code maxSequences}
 * @param contextLength  tokens per sequence; 0 = the model's {@code context_length}
 * @param kvMemoryBytes  hard cap on the KV pool (storage plus block bookkeeping); 0 = room for
 *                       {@code maxSequences} full contexts, at most a quarter of the heap
 * @param blockSize      tokens per KV block
 * @param maxWaiting     requests queued beyond the running ones; a submit past that is refused with
 *                       {@link dev.strata.engine.EngineException.Overloaded}
 * @param kvCacheType    how K/V rows are stored: F32 (exact), F16 or Q8_0 (less memory per token, so
 *                       more tokens fit {@code kvMemoryBytes})
 * @param kvCacheDisk    where the prefix cache persists across restarts; null = nowhere
 */
public record EngineOptions(int threads, int maxSequences, int maxBatchTokens, int contextLength, long kvMemoryBytes,
        int blockSize, int maxWaiting, KvCacheType kvCacheType, KvCacheDisk kvCacheDisk) {
    /** Default tokens per KV block. */
    public static final int DEFAULT_BLOCK_SIZE = 16;
    /** Default bound of the waiting queue. */
    public static final int DEFAULT_MAX_WAITING = 4096;

    public EngineOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        if (maxBatchTokens < maxSequences) {
            throw new IllegalArgumentException("maxBatchTokens must be >= maxSequences (" + maxSequences + "), got "
                    + maxBatchTokens);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be >= 0, got " + contextLength);
        }
        if (kvMemoryBytes < 0) {
            throw new IllegalArgumentException("kvMemoryBytes must be >= 0, got " + kvMemoryBytes);
        }
        if (blockSize < 1 || blockSize > 1024) {
            throw new IllegalArgumentException("blockSize must be in [1, 1024], got " + blockSize);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must be >= 0, got " + maxWaiting);
        }
        if (kvCacheType == null) {
            throw new IllegalArgumentException("kvCacheType must not be null");
        }
    }

    /** F32 K/V storage, no disk. */
    public EngineOptions(int threads, int maxSequences, int maxBatchTokens, int contextLength, long kvMemoryBytes,
            int blockSize, int maxWaiting) {
        this(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize, maxWaiting,
                KvCacheType.F32, null);
    }

    /** No disk. */
    public EngineOptions(int threads, int maxSequences, int maxBatchTokens, int contextLength, long kvMemoryBytes,
            int blockSize, int maxWaiting, KvCacheType kvCacheType) {
        this(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize, maxWaiting, kvCacheType,
                null);
    }

    /** The serving defaults for the rest: automatic KV budget, 16-token blocks, 4096 waiting. */
    public EngineOptions(int threads, int maxSequences, int maxBatchTokens, int contextLength) {
        this(threads, maxSequences, maxBatchTokens, contextLength, 0, DEFAULT_BLOCK_SIZE, DEFAULT_MAX_WAITING,
                KvCacheType.F32, null);
    }

    /** All cores, 16 sequences, 256-token passes, the model's context. */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 16, 256, 0);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(n, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize, maxWaiting,
                kvCacheType, kvCacheDisk);
    }

    public EngineOptions withContextLength(int n) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, n, kvMemoryBytes, blockSize, maxWaiting,
                kvCacheType, kvCacheDisk);
    }

    public EngineOptions withKvMemoryBytes(long n) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, contextLength, n, blockSize, maxWaiting,
                kvCacheType, kvCacheDisk);
    }

    public EngineOptions withBlockSize(int n) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, n, maxWaiting,
                kvCacheType, kvCacheDisk);
    }

    public EngineOptions withMaxWaiting(int n) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize, n,
                kvCacheType, kvCacheDisk);
    }

    public EngineOptions withKvCacheType(KvCacheType type) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize,
                maxWaiting, type, kvCacheDisk);
    }

    public EngineOptions withKvCacheDisk(KvCacheDisk disk) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, contextLength, kvMemoryBytes, blockSize,
                maxWaiting, kvCacheType, disk);
    }
}
