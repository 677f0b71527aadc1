package dev.strata.server.registry;

import dev.strata.server.config.ModelConfig;

/** Opens a configured model: its engine and its chat formatter. */
@FunctionalInterface
public interface ModelLoader {

    /** @throws dev.strata.engine.EngineException if the file cannot be served */
    LoadedModel load(ModelConfig config);
}
