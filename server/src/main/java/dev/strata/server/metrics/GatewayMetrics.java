package dev.strata.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Strata's own metrics, under {@code strata_}: HTTP requests by route, method, status and tenant,
 * their latency by route, admission rejects by reason, billed tokens and cost by tenant and model.
 *
 * <p>Tenant names become label values, so they are bounded: a name that is not a short identifier
 * counts as {@code invalid}, and past {@code maxTenants} distinct names new ones count as
 * {@code other} — a client inventing tenant names cannot blow up the scrape.
 *
 * <p>Meters are built and registered once per label set and kept in maps here, so counting a
 * request is a map lookup and an increment: no builder, tag list or registry lookup per request.
 */
public final class GatewayMetrics {
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final MeterRegistry registry;
    private final int maxTenants;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<RouteKey, Timer> durations = new ConcurrentHashMap<>();
    private final Map<RejectKey, Counter> rejects = new ConcurrentHashMap<>();
    private final Map<UsageKey, Usage> usages = new ConcurrentHashMap<>();

    /** Equality and hash written out: the generated ones (invokedynamic) showed in the request profile. */
    private record RequestKey(String route, String method, int status, String tenant) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RequestKey k && status == k.status && Objects.equals(route, k.route)
                    && Objects.equals(method, k.method) && Objects.equals(tenant, k.tenant);
        }

        @Override
        public int hashCode() {
            int h = Objects.hashCode(route) * 31 + Objects.hashCode(method);
            return (h * 31 + status) * 31 + Objects.hashCode(tenant);
        }
    }

    private record RouteKey(String route, String method) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RouteKey k && Objects.equals(route, k.route) && Objects.equals(method, k.method);
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(route) * 31 + Objects.hashCode(method);
        }
    }

    private record RejectKey(String model, String reason) {}

    private record UsageKey(String tenant, String model) {}

    /** The meters of one tenant and model's billed usage. */
    private record Usage(Counter prompt, Counter completion, Counter cost) {}

    public GatewayMetrics(MeterRegistry registry, int maxTenants) {
        if (maxTenants < 1) {
            throw new IllegalArgumentException("maxTenants must be >= 1, got " + maxTenants);
        }
        this.registry = registry;
        this.maxTenants = maxTenants;
    }

    /** One HTTP request answered with {@code status} after {@code nanos}. */
    public void request(String route, String method, int status, String tenant, long nanos) {
        RequestKey key = new RequestKey(route, method, status, tenantLabel(tenant));
        Counter counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, k -> Counter.builder("strata.requests")
                    .description("HTTP requests by route, method, status and tenant").tag("route", k.route())
                    .tag("method", k.method()).tag("status", Integer.toString(k.status())).tag("tenant", k.tenant())
                    .register(registry));
        }
        counter.increment();
        RouteKey routeKey = new RouteKey(route, method);
        Timer timer = durations.get(routeKey);
        if (timer == null) {
            timer = durations.computeIfAbsent(routeKey, k -> Timer.builder("strata.request.duration")
                    .description("HTTP request latency, to the last byte").tag("route", k.route())
                    .tag("method", k.method()).serviceLevelObjectives(LlmBuckets.request()).register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Admission turned a call for {@code model} away. */
    public void rejected(String model, String reason) {
        rejects(model, reason).increment();
    }

    /**
     * Registers {@code model}'s reject counters at zero for each of {@code reasons}, so rate queries
     * and alerts see a series before the first reject.
     */
    public void expectRejects(String model, java.util.List<String> reasons) {
        reasons.forEach(r -> rejects(model, r));
    }

    private Counter rejects(String model, String reason) {
        return rejects.computeIfAbsent(new RejectKey(model, reason), k -> Counter.builder("strata.admission.rejects")
                .description("Calls admission turned away (429), by reason").tag("model", k.model())
                .tag("reason", k.reason()).register(registry));
    }

    /** Billed usage of one call: tokens in and out, and what they cost. */
    public void usage(String tenant, String model, long promptTokens, long completionTokens, double costUsd) {
        Usage u = usages.computeIfAbsent(new UsageKey(tenantLabel(tenant), model), k -> new Usage(
                tokens(k, "prompt"), tokens(k, "completion"), Counter.builder("strata.cost.usd")
                        .description("Cost of served calls in US dollars, from the price table")
                        .tag("tenant", k.tenant()).tag("model", k.model()).register(registry)));
        u.prompt().increment(promptTokens);
        u.completion().increment(completionTokens);
        u.cost().increment(costUsd);
    }

    private Counter tokens(UsageKey k, String type) {
        return Counter.builder("strata.tokens").description("Billed tokens by tenant, model and direction")
                .tag("tenant", k.tenant()).tag("model", k.model()).tag("type", type).register(registry);
    }

    /** The label value {@code tenant} is counted under. */
    String tenantLabel(String tenant) {
        if (tenant == null) {
            return "invalid";
        }
        if (tenants.contains(tenant)) { // only valid names are kept: no regex for a known tenant
            return tenant;
        }
        if (!TENANT.matcher(tenant).matches()) {
            return "invalid";
        }
        synchronized (tenants) {
            if (tenants.size() < maxTenants) {
                tenants.add(tenant);
                return tenant;
            }
        }
        return "other";
    }
}
