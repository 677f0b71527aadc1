package dev.strata.server.config;

/**
 * A model's default decoding settings, used where a request leaves a field out. {@code null} means
 * "no model default": the API's own default applies (OpenAI's: temperature 1, top_p 1).
 */
public record SamplingDefaults(Float temperature, Float topP, Integer topK, Float minP, Float repetitionPenalty,
        Integer maxTokens) {
    public static final SamplingDefaults NONE = new SamplingDefaults(null, null, null, null, null, null);
}
