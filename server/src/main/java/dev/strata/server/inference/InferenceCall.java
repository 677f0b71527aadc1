package dev.strata.server.inference;

import java.util.List;
import java.util.Objects;

/**
 * A validated request for generations, independent of the protocol it came in on.
 *
 * @param maxTokens   most tokens per choice; {@code null} fills the context (or the model's default)
 * @param n           choices per prompt
 * @param topLogprobs -1 for no logprobs; else the chosen token's logprob plus this many alternatives
 * @param priority    scheduling class; higher runs first
 */
public record InferenceCall(String model, Prompt prompt, Integer maxTokens, SamplingOverrides sampling, int n,
        List<String> stop, int topLogprobs, boolean ignoreEos, int priority) {
    public InferenceCall {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        stop = List.copyOf(stop);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
    }

    /** Total choices: {@code n} for each prompt. */
    public int choiceCount() {
        return n * prompt.count();
    }
}
