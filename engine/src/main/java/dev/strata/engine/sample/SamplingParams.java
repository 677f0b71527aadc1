package dev.strata.engine.sample;

import java.util.Map;
import java.util.Objects;

/**
 * How to pick each next token. Greedy (argmax) when {@code temperature == 0}. Disabled values:
 * {@code topK <= 0}, {@code topP == 1}, {@code minP == 0}, {@code typicalP == 1}, penalties 1 / 0 / 0.
 * {@code seed == null} means a random seed; the same seed gives the same output.
 *
 * @param penaltyWindow how many of the most recent tokens (prompt and output) the penalties look at
 * @param logitBias     added to the logit of each token id before sampling
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float typicalP,
        float repetitionPenalty, float frequencyPenalty, float presencePenalty, int penaltyWindow,
        Map<Integer, Float> logitBias, Long seed) {

    public static final SamplingParams GREEDY = builder().temperature(0).build();

    public SamplingParams {
        requireRange("temperature", temperature, 0, Float.MAX_VALUE);
        requireRange("topP", topP, Float.MIN_VALUE, 1);
        requireRange("minP", minP, 0, 1);
        requireRange("typicalP", typicalP, Float.MIN_VALUE, 1);
        requireRange("repetitionPenalty", repetitionPenalty, Float.MIN_VALUE, Float.MAX_VALUE);
        requireRange("frequencyPenalty", frequencyPenalty, -2, 2);
        requireRange("presencePenalty", presencePenalty, -2, 2);
        if (penaltyWindow < 0) {
            throw new IllegalArgumentException("penaltyWindow must be >= 0, got " + penaltyWindow);
        }
        logitBias = Map.copyOf(Objects.requireNonNull(logitBias, "logitBias"));
    }

    private static void requireRange(String name, float value, float min, float max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP).typicalP(typicalP)
                .repetitionPenalty(repetitionPenalty).frequencyPenalty(frequencyPenalty)
                .presencePenalty(presencePenalty).penaltyWindow(penaltyWindow).logitBias(logitBias).seed(seed);
    }

    /** Builder with OpenAI-like defaults: temperature 1, everything else off, window 64. */
    public static final class Builder {
        private float temperature = 1f;
        private int topK = 0;
        private float topP = 1f;
        private float minP = 0f;
        private float typicalP = 1f;
        private float repetitionPenalty = 1f;
        private float frequencyPenalty = 0f;
        private float presencePenalty = 0f;
        private int penaltyWindow = 64;
        private Map<Integer, Float> logitBias = Map.of();
        private Long seed;

        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(float v) { topP = v; return this; }
        public Builder minP(float v) { minP = v; return this; }
        public Builder typicalP(float v) { typicalP = v; return this; }
        public Builder repetitionPenalty(float v) { repetitionPenalty = v; return this; }
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        public Builder penaltyWindow(int v) { penaltyWindow = v; return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, typicalP, repetitionPenalty, frequencyPenalty,
                    presencePenalty, penaltyWindow, logitBias, seed);
        }
    }
}
