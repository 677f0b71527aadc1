package dev.strata.server.cli;

import dev.strata.engine.EngineException;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.registry.ModelLoader;

/** Opens GGUF files with the embedded engine. */
final class LocalModelLoader implements ModelLoader {
    @Override
    public LoadedModel load(ModelConfig config) {
        throw new EngineException.Unsupported("the local engine is not part of this build yet; cannot load "
                + config.path());
    }
}
