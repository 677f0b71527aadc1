package dev.strata.server.registry;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.KvCacheDisk;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.StepListener;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.tokenizer.Tokenizers;
import dev.strata.server.GatewayException;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ServingOptions;

/**
 * Opens a GGUF file with the embedded engine ({@link LocalEngine}): tokenizer and chat template from
 * the file's metadata, threads, context and serving knobs ({@link ServingOptions}) from the model's
 * configuration. The loader's own {@code maxSequences} and {@code maxBatchTokens} apply where the
 * model does not set {@code max_num_seqs} or {@code max_batched_tokens}.
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
        LocalEngine engine = LocalEngine.open(config.path(), options(threads, config), Tokenizers::fromGguf, steps);
        try {
            engine.warmUpKernels();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        return new LoadedModel(engine, new TemplateChatFormatter(template));
    }

    private EngineOptions options(int threads, ModelConfig config) {
        ServingOptions s = config.serving();
        int batchTokens;
        int sequences;
        if (s.maxBatchTokens() != null) {
            batchTokens = s.maxBatchTokens();
            sequences = s.maxSequences() != null ? s.maxSequences() : Math.min(maxSequences, batchTokens);
        } else {
            sequences = s.maxSequences() != null ? s.maxSequences() : maxSequences;
            batchTokens = Math.max(maxBatchTokens, sequences);
        }
        return new EngineOptions(threads, sequences, batchTokens, config.contextLength(), s.kvMemoryBytes(),
                s.blockSize() != null ? s.blockSize() : EngineOptions.DEFAULT_BLOCK_SIZE,
                s.maxWaiting() != null ? s.maxWaiting() : EngineOptions.DEFAULT_MAX_WAITING,
                s.kvCacheType() != null ? s.kvCacheType() : KvCacheType.F32, kvCacheDisk(s, config.id()));
    }

    /** The model's prefix cache directory: a subdirectory of {@code kv_cache_dir} named for its id. */
    static KvCacheDisk kvCacheDisk(ServingOptions s, String modelId) {
        if (s.kvCacheDir() == null) {
            return null;
        }
        String name = modelId.replaceAll("[^A-Za-z0-9._-]", "_");
        return new KvCacheDisk(s.kvCacheDir().resolve(name.isEmpty() || name.startsWith(".") ? "_" + name : name),
                s.kvCacheDiskMaxBytes() > 0 ? s.kvCacheDiskMaxBytes() : KvCacheDisk.DEFAULT_MAX_BYTES);
    }
}
