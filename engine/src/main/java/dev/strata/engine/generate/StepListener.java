package dev.strata.engine.generate;

/**
 * Hears each step of an engine's loop, for metrics such as tokens per step (vLLM's
 * {@code iteration_tokens_total}). Called on the loop thread after every forward pass, so an
 * implementation must be quick, must not block and must not throw.
 */
@FunctionalInterface
public interface StepListener {

    /** Ignores every step. */
    StepListener NONE = (numTokens, numSequences) -> {};

    /**
     * @param numTokens    tokens in the step's forward pass (decode tokens plus prompt chunks)
     * @param numSequences sequences running during the step (some may have had no token in it)
     */
    void onStep(int numTokens, int numSequences);
}
