package dev.strata.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 */
public final class GatewayMetrics {
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final MeterRegistry registry;
    private final int maxTenants;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();

    public GatewayMetrics(MeterRegistry registry, int maxTenants) {
        if (maxTenants < 1) {
            throw new IllegalArgumentException("maxTenants must be >= 1, got " + maxTenants);
        }
        this.registry = registry;
        this.maxTenants = maxTenants;
    }

    /** One HTTP request answered with {@code status} after {@code nanos}. */
    public void request(String route, String method, int status, String tenant, long nanos) {
        Counter.builder("strata.requests").description("HTTP requests by route, method, status and tenant")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .tag("tenant", tenantLabel(tenant)).register(registry).increment();
        Timer.builder("strata.request.duration").description("HTTP request latency, to the last byte")
                .tag("route", route).tag("method", method).serviceLevelObjectives(LlmBuckets.request())
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
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
        return Counter.builder("strata.admission.rejects").description("Calls admission turned away (429), by reason")
                .tag("model", model).tag("reason", reason).register(registry);
    }

    /** Billed usage of one call: tokens in and out, and what they cost. */
    public void usage(String tenant, String model, long promptTokens, long completionTokens, double costUsd) {
        String t = tenantLabel(tenant);
        Counter.builder("strata.tokens").description("Billed tokens by tenant, model and direction")
                .tag("tenant", t).tag("model", model).tag("type", "prompt").register(registry)
                .increment(promptTokens);
        Counter.builder("strata.tokens").description("Billed tokens by tenant, model and direction")
                .tag("tenant", t).tag("model", model).tag("type", "completion").register(registry)
                .increment(completionTokens);
        Counter.builder("strata.cost.usd").description("Cost of served calls in US dollars, from the price table")
                .tag("tenant", t).tag("model", model).register(registry).increment(costUsd);
    }

    /** The label value {@code tenant} is counted under. */
    String tenantLabel(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            return "invalid";
        }
        if (tenants.contains(tenant)) {
            return tenant;
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
