package dev.strata.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One model to serve.
 *
 * @param id            the name clients put in {@code "model"} (the file name without {@code .gguf} by default)
 * @param threads       compute threads for this model; 0 lets the engine choose
 * @param contextLength context window; 0 uses the model's own
 * @param price         what its tokens cost ({@link ModelPrice#FREE} when not configured)
 * @param serving       the engine's serving knobs ({@link ServingOptions#DEFAULTS} when not configured)
 */
// Seven components: the YAML mapping of one model, bound in one place (ConfigLoader.bindModels).
public record ModelConfig(String id, Path path, int threads, int contextLength, SamplingDefaults sampling,
        ModelPrice price, ServingOptions serving) {
    public ModelConfig(String id, Path path, int threads, int contextLength, SamplingDefaults sampling) {
        this(id, path, threads, contextLength, sampling, ModelPrice.FREE);
    }

    public ModelConfig(String id, Path path, int threads, int contextLength, SamplingDefaults sampling,
            ModelPrice price) {
        this(id, path, threads, contextLength, sampling, price, ServingOptions.DEFAULTS);
    }

    public ModelConfig {
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sampling, "sampling");
        if (id.isBlank()) {
            throw new IllegalArgumentException("id must not be blank");
        }
        if (threads < 0 || contextLength < 0) {
            throw new IllegalArgumentException("threads and contextLength must be >= 0");
        }
    }

    /** The default id of a model file: its name without the {@code .gguf} extension. */
    public static String idOf(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
