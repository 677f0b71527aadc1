package dev.strata.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which route, tier and target answered routed requests: {@code strata_route_requests_total{route,
 * tier, target, outcome}}. {@code tier} is {@code primary}, {@code canary} or a cascade's
 * {@code i/n}; {@code target} the upstream or {@code pool/replica} that answered last; {@code outcome}
 * {@code ok} or the failure ({@code server_error}, {@code timeout}, …). Every value comes from the
 * gateway config, so the label sets stay bounded. Counters are looked up once per label set.
 */
public final class RouteMetrics {
    /** Equality and hash written out: the generated ones (invokedynamic) showed in the request profile. */
    private record Key(String route, String tier, String target, String outcome) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(route, k.route) && Objects.equals(tier, k.tier)
                    && Objects.equals(target, k.target) && Objects.equals(outcome, k.outcome);
        }

        @Override
        public int hashCode() {
            int h = Objects.hashCode(route) * 31 + Objects.hashCode(tier);
            return (h * 31 + Objects.hashCode(target)) * 31 + Objects.hashCode(outcome);
        }
    }

    private final MeterRegistry registry;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    public RouteMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One routed request finished. */
    public void served(String route, String tier, String target, String outcome) {
        Key key = new Key(route, tier, target, outcome);
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> Counter.builder("strata.route.requests")
                    .description("Routed requests by route, the tier that answered (primary, canary or cascade i/n), "
                            + "target and outcome")
                    .tag("route", k.route()).tag("tier", k.tier()).tag("target", k.target())
                    .tag("outcome", k.outcome()).register(registry));
        }
        counter.increment();
    }
}
