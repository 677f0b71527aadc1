package dev.strata.engine.generate;

/** Test hook: may throw before a forward pass, to check that failures free everything. */
@FunctionalInterface
interface FaultInjector {
    FaultInjector NONE = numTokens -> {};

    /** Called on the loop thread before each forward pass of {@code numTokens} tokens. */
    void beforeForward(int numTokens);
}
