package dev.strata.server.metrics;

import dev.strata.server.admit.AdmissionMeter;
import dev.strata.server.quota.FailoverQuotaBackend;
import dev.strata.server.quota.FailureMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The tenant limiter's metrics: refusals by reason and tenant
 * ({@code strata_admission_rejected_total}), the wait for a slot
 * ({@code strata_admission_queue_wait_seconds}), and the state of the shared counters —
 * {@code strata_limiter_backend_up{backend}} (1 while Redis answers; the local backend is always
 * up), {@code strata_limiter_fail_mode{mode}} (the configured {@code on_failure}, 1) and
 * {@code strata_limiter_fallback_active{mode}} (1 while that mode is in effect because Redis is
 * down), with {@code strata_limiter_redis_errors_total} and {@code strata_limiter_failovers_total}.
 *
 * <p>Tenant names are label values, so they are bounded as in {@link GatewayMetrics}: names that
 * are not short identifiers count as {@code invalid}, names past {@code maxTenants} as
 * {@code other}, and anonymous callers as {@code anonymous}.
 */
public final class LimiterMetrics implements AdmissionMeter {
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final Duration[] WAIT_BUCKETS = {Duration.ofNanos(1000), Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final int maxTenants;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private final Timer queueWait;
    /** Refusal counters by tenant label, then reason: built once each (a 429 storm stays cheap). */
    private final Map<String, Map<String, Counter>> refusals = new ConcurrentHashMap<>();

    public LimiterMetrics(MeterRegistry registry, int maxTenants) {
        if (maxTenants < 1) {
            throw new IllegalArgumentException("maxTenants must be >= 1, got " + maxTenants);
        }
        this.registry = registry;
        this.maxTenants = maxTenants;
        this.queueWait = Timer.builder("strata.admission.queue.wait")
                .description("Time admitted requests waited for a slot (0 when one was free)")
                .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
    }

    @Override
    public void refused(String tenant, String reason) {
        String label = tenantLabel(tenant);
        refusals.computeIfAbsent(label, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(reason, r -> Counter.builder("strata.admission.rejected")
                        .description("Requests the tenant limiter turned away, by reason").tag("reason", r)
                        .tag("tenant", label).register(registry))
                .increment();
    }

    @Override
    public void admitted(String tenant, long queuedNanos) {
        queueWait.record(queuedNanos, TimeUnit.NANOSECONDS);
    }

    /** Exports the state of counters shared through Redis. */
    public void bind(FailoverQuotaBackend redis) {
        Gauge.builder("strata.limiter.backend.up", redis, r -> r.degraded() ? 0 : 1)
                .description("1 while the limiter's shared backend answers, 0 while it is failed over")
                .tag("backend", "redis").register(registry);
        for (FailureMode mode : FailureMode.values()) {
            String label = mode.name().toLowerCase(Locale.ROOT);
            Gauge.builder("strata.limiter.fail.mode", redis, r -> r.mode() == mode ? 1 : 0)
                    .description("The configured quota.redis.on_failure (1 for the mode in force)")
                    .tag("mode", label).register(registry);
            Gauge.builder("strata.limiter.fallback.active", redis, r -> r.degraded() && r.mode() == mode ? 1 : 0)
                    .description("1 while Redis is down and this failure mode is applied")
                    .tag("mode", label).register(registry);
        }
        FunctionCounter.builder("strata.limiter.redis.errors", redis, FailoverQuotaBackend::errors)
                .description("Redis operations of the limiter that failed").register(registry);
        FunctionCounter.builder("strata.limiter.failovers", redis, FailoverQuotaBackend::failovers)
                .description("Times the limiter found Redis unreachable and failed over").register(registry);
    }

    /** Exports that counters are kept in this process only (no Redis configured). */
    public void bindLocal() {
        Gauge.builder("strata.limiter.backend.up", () -> 1).description(
                "1 while the limiter's shared backend answers, 0 while it is failed over")
                .tag("backend", "local").register(registry);
    }

    private String tenantLabel(String tenant) {
        if (tenant == null) {
            return "anonymous";
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
