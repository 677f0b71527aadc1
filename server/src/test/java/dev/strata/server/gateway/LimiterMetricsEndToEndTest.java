package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.quota.FailureMode;
import dev.strata.server.tenant.Quota;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limiter's state and refusals in {@code /metrics}, with Redis configured on a closed loopback
 * port (nothing listens there, so every Redis call fails at once): the backend gauge flips to 0 on
 * the first request and the configured failure mode applies and shows. Killing a real Redis is
 * covered by {@link SharedLimitsTest}, which also checks the gauge recovers.
 */
class LimiterMetricsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Replica start(FailureMode mode) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        return Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir)
                .withRedis("redis://127.0.0.1:" + closedPort, "t:", mode), 8, 0);
    }

    private static String key(Replica r) {
        Quota rpm = new Quota(100, null, null, null, Set.of(), null, null, null, null, null);
        return r.gateway().tenancy().keyAdmin().createKey("acme", rpm).text();
    }

    static String metrics(Replica r) throws Exception {
        HttpResponse<String> scrape = r.admin("GET", "/metrics", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        return scrape.body();
    }

    @Test
    void closedModeRefusesAndTheMetricsShowIt() throws Exception {
        try (Replica r = start(FailureMode.CLOSED)) {
            String key = key(r);
            assertThat(metrics(r)).contains("strata_limiter_backend_up{backend=\"redis\"} 1.0")
                    .contains("strata_limiter_fail_mode{mode=\"closed\"} 1.0")
                    .contains("strata_limiter_fallback_active{mode=\"closed\"} 0.0");

            HttpResponse<String> refused = r.complete(key, "m", 1);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("rate limiter is unavailable");

            String after = metrics(r);
            assertThat(after).contains("strata_limiter_backend_up{backend=\"redis\"} 0.0")
                    .contains("strata_limiter_fallback_active{mode=\"closed\"} 1.0")
                    .contains("strata_limiter_fallback_active{mode=\"local\"} 0.0")
                    .contains("strata_admission_rejected_total{reason=\"limiter_unavailable\",tenant=\"acme\"} 1.0")
                    .containsPattern("strata_limiter_redis_errors_total [1-9]")
                    .contains("strata_limiter_failovers_total 1.0");
        }
    }

    @Test
    void localModeKeepsServingAndTheMetricsShowIt() throws Exception {
        try (Replica r = start(FailureMode.LOCAL)) {
            String key = key(r);
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(200);
            assertThat(r.complete(key, "small", 1).statusCode()).isEqualTo(200);
            String after = metrics(r);
            assertThat(after).contains("strata_limiter_backend_up{backend=\"redis\"} 0.0")
                    .contains("strata_limiter_fail_mode{mode=\"local\"} 1.0")
                    .contains("strata_limiter_fallback_active{mode=\"local\"} 1.0")
                    .contains("strata_admission_queue_wait_seconds_count 2")
                    .doesNotContain("strata_admission_rejected_total{");
        }
    }

    @Test
    void refusalsAreCountedByReasonAndTenantWithoutRedis() throws Exception {
        try (Replica r = Replica.start(TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir), 8, 0)) {
            Quota quota = new Quota(1, null, null, null, Set.of("m"), null, null, null, null, null);
            String key = r.gateway().tenancy().keyAdmin().createKey("acme", quota).text();
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(200);
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(429);
            assertThat(r.complete(key, "small", 1).statusCode()).isEqualTo(403);
            assertThat(metrics(r)).contains("strata_limiter_backend_up{backend=\"local\"} 1.0")
                    .contains("strata_admission_rejected_total{reason=\"rpm\",tenant=\"acme\"} 1.0")
                    .contains("strata_admission_rejected_total{reason=\"model_not_allowed\",tenant=\"acme\"} 1.0");
        }
    }
}
