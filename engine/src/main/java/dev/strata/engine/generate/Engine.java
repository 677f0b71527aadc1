package dev.strata.engine.generate;

import dev.strata.engine.tokenizer.Tokenizer;

/**
 * One loaded model that generates text for many concurrent requests. {@link #submit} never blocks
 * on generation: work happens on the engine's own threads and arrives through the returned stream.
 */
public interface Engine extends AutoCloseable {

    ModelInfo modelInfo();

    Tokenizer tokenizer();

    /**
     * Queues {@code request}.
     *
     * @throws dev.strata.engine.EngineException.InvalidRequest if the prompt does not fit the context
     */
    TokenStream submit(GenerationRequest request);

    /** What the engine is doing now, for metrics; engines without a scheduler report {@link EngineStats#IDLE}. */
    default EngineStats stats() {
        return EngineStats.IDLE;
    }

    /** Stops all work, cancels open streams and releases the model. */
    @Override
    void close();
}
