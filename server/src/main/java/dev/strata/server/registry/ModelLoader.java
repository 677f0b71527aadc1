package dev.strata.server.registry;

import dev.strata.engine.generate.StepListener;
import dev.strata.server.config.ModelConfig;

/** Opens a configured model: its engine and its chat formatter. */
@FunctionalInterface
public interface ModelLoader {

    /** @throws dev.strata.engine.EngineException if the file cannot be served */
    LoadedModel load(ModelConfig config);

    /**
     * As {@link #load(ModelConfig)}, telling {@code steps} about each of the engine's forward passes
     * (for metrics); loaders whose engines have no steps ignore it.
     */
    default LoadedModel load(ModelConfig config, StepListener steps) {
        return load(config);
    }
}
