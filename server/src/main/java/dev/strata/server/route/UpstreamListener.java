package dev.strata.server.route;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Hears what the fallback chain does with each target (upstream or pool), for metrics: every
 * attempt with its outcome and duration, and every circuit breaker made (to follow its state
 * through the breaker's own events). Called on the request thread; must not block.
 */
public interface UpstreamListener {
    /** Hears nothing. */
    UpstreamListener NONE = new UpstreamListener() {
        @Override
        public void attempted(String target, String outcome, long nanos) {}

        @Override
        public void breakerMade(String target, CircuitBreaker breaker) {}
    };

    /**
     * One attempt at {@code target} ended after {@code nanos}.
     *
     * @param outcome {@code ok}, or the {@link dev.strata.server.backend.Failure} in lower case
     */
    void attempted(String target, String outcome, long nanos);

    /** A breaker for {@code target} was made (first use, or the breaker settings changed). */
    void breakerMade(String target, CircuitBreaker breaker);
}
