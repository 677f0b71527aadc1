package dev.strata.engine.template;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.gguf.GgufValue;
import java.time.Clock;
import java.util.Objects;

/**
 * The fixed inputs of a compiled template: the vocabulary's BOS and EOS token strings (bound as
 * {@code bos_token}/{@code eos_token}; empty when the model has none) and the clock
 * {@code strftime_now} reads (tests pass a fixed one).
 */
public record TemplateOptions(String bosToken, String eosToken, Clock clock) {

    public TemplateOptions {
        Objects.requireNonNull(bosToken, "bosToken");
        Objects.requireNonNull(eosToken, "eosToken");
        Objects.requireNonNull(clock, "clock");
    }

    public static TemplateOptions of(String bosToken, String eosToken) {
        return new TemplateOptions(bosToken, eosToken, Clock.systemDefaultZone());
    }

    /**
     * The BOS and EOS strings of a model file: {@code tokenizer.ggml.tokens} at
     * {@code tokenizer.ggml.bos_token_id} / {@code eos_token_id}, empty when absent.
     */
    public static TemplateOptions fromGguf(GgufFile file, Clock clock) {
        String[] tokens = file.getArray("tokenizer.ggml.tokens")
                .map(GgufValue.Array::values)
                .filter(String[].class::isInstance)
                .map(String[].class::cast)
                .orElse(new String[0]);
        return new TemplateOptions(token(file, tokens, "tokenizer.ggml.bos_token_id"),
                token(file, tokens, "tokenizer.ggml.eos_token_id"), clock);
    }

    private static String token(GgufFile file, String[] tokens, String key) {
        return file.getInt(key)
                .filter(id -> id >= 0 && id < tokens.length)
                .map(id -> tokens[id])
                .orElse("");
    }
}
