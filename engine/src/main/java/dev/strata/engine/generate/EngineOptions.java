package dev.strata.engine.generate;

/**
 * How a {@link LocalEngine} runs its model.
 *
 * @param threads        compute threads (platform threads, one per core is the sensible maximum)
 * @param maxSequences   sequences stepped together; more requests wait in the queue
 * @param maxBatchTokens tokens per forward pass (decode tokens plus prompt chunks); at least
 *                       {@code maxSequences}
 * @param contextLength  tokens per sequence; 0 = the model's {@code context_length}
 */
public record EngineOptions(int threads, int maxSequences, int maxBatchTokens, int contextLength) {
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
    }

    /** All cores, 16 sequences, 256-token passes, the model's context. */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 16, 256, 0);
    }

    public EngineOptions withThreads(int n) {
        return new EngineOptions(n, maxSequences, maxBatchTokens, contextLength);
    }

    public EngineOptions withContextLength(int n) {
        return new EngineOptions(threads, maxSequences, maxBatchTokens, n);
    }
}
