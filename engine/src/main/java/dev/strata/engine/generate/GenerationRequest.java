package dev.strata.engine.generate;

import dev.strata.engine.sample.SamplingParams;
import java.util.List;
import java.util.Objects;

/**
 * One generation to run.
 *
 * @param promptTokens prompt ids, already including BOS if the model wants one
 * @param maxTokens    most tokens to generate (the context length also limits)
 * @param stop         strings that end the generation; matched across token boundaries and not emitted
 * @param ignoreEos    keep generating past end-of-generation tokens (benchmarks)
 * @param priority     scheduling class; higher runs first
 * @param topLogprobs  -1 for no logprobs; else the chosen token's logprob plus this many alternatives
 */
public record GenerationRequest(String id, int[] promptTokens, SamplingParams sampling, int maxTokens,
        List<String> stop, boolean ignoreEos, int priority, int topLogprobs) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sampling, "sampling");
        promptTokens = promptTokens.clone();
        stop = List.copyOf(stop);
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("promptTokens must not be empty");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        }
        if (topLogprobs < -1 || topLogprobs > 20) {
            throw new IllegalArgumentException("topLogprobs must be in [-1, 20], got " + topLogprobs);
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    /** A request with defaults: no stop strings, priority 0, no logprobs. */
    public static GenerationRequest of(String id, int[] promptTokens, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(id, promptTokens, sampling, maxTokens, List.of(), false, 0, -1);
    }
}
