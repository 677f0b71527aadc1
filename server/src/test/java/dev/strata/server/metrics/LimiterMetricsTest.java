package dev.strata.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.quota.FailoverQuotaBackend;
import dev.strata.server.quota.FailureMode;
import dev.strata.server.quota.LocalQuotaBackend;
import dev.strata.server.quota.QuotaBackend;
import dev.strata.server.quota.QuotaUnavailable;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LimiterMetricsTest {
    private final PrometheusMeterRegistry registry = PrometheusRegistries.bare();
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void refusalCountersAreRegisteredOncePerTenantAndReason() {
        LimiterMetrics metrics = new LimiterMetrics(registry, 4);
        metrics.refused("acme", "rpm");
        int meters = registry.getMeters().size();
        for (int i = 0; i < 500; i++) {
            metrics.refused("acme", "rpm");
        }
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.scrape()).contains("strata_admission_rejected_total{reason=\"rpm\",tenant=\"acme\"} 501.0");
    }

    @Test
    void refusalsAreCountedByReasonAndBoundedTenant() {
        LimiterMetrics metrics = new LimiterMetrics(registry, 1);
        metrics.refused("acme", "rpm");
        metrics.refused("acme", "rpm");
        metrics.refused("beta", "tpm");
        metrics.refused(null, "queue_full");
        metrics.refused("a b", "budget");
        metrics.admitted("acme", 2_000_000);
        assertThat(registry.scrape())
                .contains("strata_admission_rejected_total{reason=\"rpm\",tenant=\"acme\"} 2.0")
                .contains("strata_admission_rejected_total{reason=\"tpm\",tenant=\"other\"} 1.0")
                .contains("strata_admission_rejected_total{reason=\"queue_full\",tenant=\"anonymous\"} 1.0")
                .contains("strata_admission_rejected_total{reason=\"budget\",tenant=\"invalid\"} 1.0")
                .contains("strata_admission_queue_wait_seconds_bucket{le=\"0.005\"} 1")
                .contains("strata_admission_queue_wait_seconds_bucket{le=\"0.001\"} 0");
    }

    @Test
    void redisStateFollowsTheFailoverBackend() {
        AtomicBoolean down = new AtomicBoolean();
        LocalQuotaBackend inner = new LocalQuotaBackend(nanos::get);
        // Redis stand-in: the local backend, failing every call while `down`
        QuotaBackend redis = (QuotaBackend) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {QuotaBackend.class}, (proxy, method, args) -> {
                    if (down.get()) {
                        throw new QuotaUnavailable("down", null);
                    }
                    return method.invoke(inner, args);
                });
        FailoverQuotaBackend failover = new FailoverQuotaBackend(redis, new LocalQuotaBackend(nanos::get),
                FailureMode.CLOSED, nanos::get, 1_000_000_000L);
        new LimiterMetrics(registry, 10).bind(failover);
        List<QuotaBackend.Bucket> rpm = List.of(new QuotaBackend.Bucket("rpm", 10, 1));

        assertThat(failover.takeAll(rpm, List.of()).granted()).isTrue();
        assertThat(registry.scrape()).contains("strata_limiter_backend_up{backend=\"redis\"} 1.0")
                .contains("strata_limiter_fail_mode{mode=\"closed\"} 1.0")
                .contains("strata_limiter_fail_mode{mode=\"local\"} 0.0")
                .contains("strata_limiter_fallback_active{mode=\"closed\"} 0.0");

        down.set(true);
        assertThat(failover.takeAll(rpm, List.of()).unavailable()).isTrue();
        assertThat(registry.scrape()).contains("strata_limiter_backend_up{backend=\"redis\"} 0.0")
                .contains("strata_limiter_fallback_active{mode=\"closed\"} 1.0")
                .contains("strata_limiter_redis_errors_total 1.0")
                .contains("strata_limiter_failovers_total 1.0");

        down.set(false);
        nanos.addAndGet(1_000_000_000L); // the next call probes Redis again
        assertThat(failover.takeAll(rpm, List.of()).granted()).isTrue();
        assertThat(registry.scrape()).contains("strata_limiter_backend_up{backend=\"redis\"} 1.0")
                .contains("strata_limiter_fallback_active{mode=\"closed\"} 0.0");
    }
}
