package dev.strata.server.inference;

import java.util.Map;

/**
 * The decoding fields a request set; {@code null} means "not given" so the model's configured
 * default (or the API default) applies. Ranges were checked by the protocol layer.
 */
public record SamplingOverrides(Float temperature, Float topP, Integer topK, Float minP, Float repetitionPenalty,
        Float frequencyPenalty, Float presencePenalty, Map<Integer, Float> logitBias, Long seed) {
    public static final SamplingOverrides NONE = new SamplingOverrides(null, null, null, null, null, null, null,
            Map.of(), null);

    public SamplingOverrides {
        logitBias = Map.copyOf(logitBias);
    }
}
