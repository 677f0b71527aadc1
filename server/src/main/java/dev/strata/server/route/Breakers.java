package dev.strata.server.route;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One resilience4j circuit breaker per target (upstream or pool), count-based sliding window, plus the
 * {@code Retry-After} cool-down each upstream asked for. Breakers outlive config reloads (state is
 * about the upstream, not the config) unless the breaker settings change.
 */
final class Breakers {
    private final Map<String, CircuitBreaker> byTarget = new ConcurrentHashMap<>();
    private final Map<String, Long> coolDownUntilMillis = new ConcurrentHashMap<>();
    private final Clock clock;
    private final UpstreamListener listener;
    private volatile CircuitBreakerConfig config;
    private volatile RoutesConfig.BreakerSpec spec;

    Breakers(RoutesConfig.BreakerSpec spec, Clock clock) {
        this(spec, clock, UpstreamListener.NONE);
    }

    /** @param listener told of every breaker made, so it can follow its state */
    Breakers(RoutesConfig.BreakerSpec spec, Clock clock, UpstreamListener listener) {
        this.clock = clock;
        this.listener = listener;
        configure(spec);
    }

    void configure(RoutesConfig.BreakerSpec spec) {
        if (spec.equals(this.spec)) {
            return;
        }
        this.spec = spec;
        this.config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(spec.window()).minimumNumberOfCalls(spec.minCalls())
                .failureRateThreshold(spec.failureRatePercent())
                .waitDurationInOpenState(Duration.ofMillis(spec.openMillis()))
                .permittedNumberOfCallsInHalfOpenState(spec.halfOpenCalls())
                .recordExceptions(Throwable.class).clock(clock).build();
        byTarget.clear();
    }

    CircuitBreaker of(String target) {
        return byTarget.computeIfAbsent(target, t -> {
            CircuitBreaker made = CircuitBreaker.of(t, config);
            listener.breakerMade(t, made);
            return made;
        });
    }

    /** State of each breaker made so far, for the admin view. */
    Map<String, String> states() {
        Map<String, String> out = new java.util.TreeMap<>();
        byTarget.forEach((k, v) -> out.put(k, v.getState().name()));
        return out;
    }

    void coolDown(String target, long millis) {
        coolDownUntilMillis.merge(target, clock.millis() + millis, Math::max);
    }

    boolean coolingDown(String target) {
        Long until = coolDownUntilMillis.get(target);
        return until != null && clock.millis() < until;
    }
}
