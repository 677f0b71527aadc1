package dev.strata.server.metrics;

import dev.strata.server.route.UpstreamListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's view of each upstream (or pool) it routes to:
 * {@code strata_upstream_request_seconds{upstream,outcome}} — one observation per attempt, outcome
 * {@code ok} or the failure ({@code server_error}, {@code timeout}, {@code rate_limited}, …) — and
 * {@code strata_upstream_breaker_state{upstream,state}}, 1 for the state the upstream's circuit
 * breaker is in and 0 for the others. The state follows the breaker's own state-transition events;
 * when the breaker settings change and a new breaker replaces the old one, only the new one's events
 * count. Upstream names come from the configuration, so the label set is bounded.
 */
public final class UpstreamMetrics implements UpstreamListener {
    private final MeterRegistry registry;
    private final Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    /** The breaker currently in use for one upstream and the state its events last reported. */
    private static final class Breaker {
        final AtomicReference<CircuitBreaker> current = new AtomicReference<>();
        final AtomicReference<CircuitBreaker.State> state = new AtomicReference<>(CircuitBreaker.State.CLOSED);
    }

    public UpstreamMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void attempted(String target, String outcome, long nanos) {
        Map<String, Timer> byOutcome = timers.get(target);
        if (byOutcome == null) {
            byOutcome = timers.computeIfAbsent(target, t -> new ConcurrentHashMap<>());
        }
        Timer timer = byOutcome.get(outcome);
        if (timer == null) {
            timer = Timer.builder("strata.upstream.request").description("Attempts at an upstream, by outcome")
                    .tag("upstream", target).tag("outcome", outcome).serviceLevelObjectives(LlmBuckets.request())
                    .register(registry);
            byOutcome.put(outcome, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void breakerMade(String target, CircuitBreaker breaker) {
        Breaker b = breakers.computeIfAbsent(target, this::register);
        b.current.set(breaker);
        b.state.set(breaker.getState());
        breaker.getEventPublisher().onStateTransition(e -> {
            if (b.current.get() == breaker) {
                b.state.set(e.getStateTransition().getToState());
            }
        });
    }

    private Breaker register(String target) {
        Breaker b = new Breaker();
        for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
            Gauge.builder("strata.upstream.breaker.state", b, x -> x.state.get() == s ? 1 : 0)
                    .description("1 for the state the upstream's circuit breaker is in").tag("upstream", target)
                    .tag("state", s.name().toLowerCase(Locale.ROOT)).strongReference(true).register(registry);
        }
        return b;
    }
}
