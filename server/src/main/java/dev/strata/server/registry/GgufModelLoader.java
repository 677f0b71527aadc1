package dev.strata.server.registry;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.StepListener;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.tokenizer.Tokenizers;
import dev.strata.server.GatewayException;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.ModelConfig;

/**
 * Opens a GGUF file with the embedded engine ({@link LocalEngine}): tokenizer and chat template from
 * the file's metadata, threads and context from the model's configuration.
 */
public final class GgufModelLoader implements ModelLoader {
    /** Sequences the engine steps together; more requests wait in its queue. */
    private final int maxSequences;
    /** Tokens per forward pass (decode tokens plus prompt chunks). */
    private final int maxBatchTokens;

    public GgufModelLoader(int maxSequences, int maxBatchTokens) {
        this.maxSequences = maxSequences;
        this.maxBatchTokens = maxBatchTokens;
    }

    @Override
    public LoadedModel load(ModelConfig config) {
        return load(config, StepListener.NONE);
    }

    @Override
    public LoadedModel load(ModelConfig config, StepListener steps) {
        ChatTemplate template;
        int modelContext;
        try (GgufFile gguf = GgufFile.open(config.path())) {
            template = ChatTemplate.fromGguf(gguf);
            String arch = gguf.getString("general.architecture").orElse("");
            modelContext = gguf.getInt(arch + ".context_length").orElse(Integer.MAX_VALUE);
        }
        if (config.contextLength() > modelContext) {
            throw new GatewayException.InvalidConfig("models." + config.id() + ".context", "is "
                    + config.contextLength() + " but the model's context_length is " + modelContext);
        }
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        EngineOptions options = new EngineOptions(threads, maxSequences, Math.max(maxBatchTokens, maxSequences),
                config.contextLength());
        LocalEngine engine = LocalEngine.open(config.path(), options, Tokenizers::fromGguf, steps);
        return new LoadedModel(engine, new TemplateChatFormatter(template));
    }
}
