package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.quota.FailureMode;
import dev.strata.server.testservices.RedisProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Strata servers sharing one real Redis (and one SQLite file for keys): limits hold across
 * both exactly, and a Redis outage follows the configured mode and ends when Redis returns.
 */
class SharedLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisProcess redis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedis() throws Exception {
        assumeTrue(RedisProcess.find().isPresent(), RedisProcess.MISSING);
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private TenancyConfig shared(FailureMode mode) {
        return TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir)
                .withRedis(redis.url(), "test-" + UUID.randomUUID() + ":", mode);
    }

    private static String key(Replica r, int rpm) throws Exception {
        HttpResponse<String> made = r.admin("POST", "/admin/tenants", "{\"name\":\"acme\",\"rpm\":" + rpm + "}");
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        return JSON.readTree(r.admin("POST", "/admin/keys", "{\"tenant\":\"acme\"}").body()).get("key").asText();
    }

    @Test
    void twoReplicasEnforceOneTenantsRpmExactlyUnderConcurrentLoad() throws Exception {
        int rpm = 25;
        int requests = 80;
        try (Replica a = Replica.start(shared(FailureMode.LOCAL), 64, 0);
                Replica b = Replica.start(shared(FailureMode.LOCAL).withRedis(redis.url(),
                        a.gateway().config().tenancy().redisPrefix(), FailureMode.LOCAL), 64, 0);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String key = key(a, rpm);
            List<Future<Integer>> statuses = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                Replica r = i % 2 == 0 ? a : b;
                statuses.add(pool.submit(() -> r.complete(key, "m", 1).statusCode()));
            }
            int ok = 0;
            int limited = 0;
            for (Future<Integer> f : statuses) {
                switch (f.get()) {
                    case 200 -> ok++;
                    case 429 -> limited++;
                    default -> throw new AssertionError("unexpected status " + f.get());
                }
            }
            // 25 per minute refill one token every 2.4 s: the burst usually takes well under that, but on
            // a loaded machine each refill that elapsed during it may admit exactly one more request.
            long refills = (System.nanoTime() - start) / (60_000_000_000L / rpm);
            assertThat(ok).isBetween(rpm, rpm + (int) refills);
            assertThat(ok + limited).isEqualTo(requests);
        }
    }

    @Test
    void redisOutageFallsBackToLocalLimitsAndRecovers() throws Exception {
        try (Replica r = Replica.start(shared(FailureMode.LOCAL), 64, 0)) {
            String key = key(r, 1000);
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(200);
            assertThat(status(r)).isEqualTo("redis");
            redis.kill();
            try {
                assertThat(r.complete(key, "m", 1).statusCode()).as("local limits keep serving").isEqualTo(200);
                assertThat(status(r)).isEqualTo("local-fallback(local)");
            } finally {
                redis.startAgain();
            }
            awaitLimiter(r, key, "redis");
        }
    }

    @Test
    void closedModeRefusesLimitedTenantsWhileRedisIsDown() throws Exception {
        try (Replica r = Replica.start(shared(FailureMode.CLOSED), 64, 0)) {
            String key = key(r, 1000);
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(200);
            redis.kill();
            try {
                HttpResponse<String> refused = r.complete(key, "m", 1);
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(refused.headers().firstValue("retry-after")).isPresent();
                assertThat(LimiterMetricsEndToEndTest.metrics(r))
                        .contains("strata_limiter_backend_up{backend=\"redis\"} 0.0")
                        .contains("strata_limiter_fallback_active{mode=\"closed\"} 1.0")
                        .contains("strata_admission_rejected_total{reason=\"limiter_unavailable\",tenant=\"acme\"} 1.0");
            } finally {
                redis.startAgain();
            }
            awaitLimiter(r, key, "redis");
            assertThat(r.complete(key, "m", 1).statusCode()).isEqualTo(200);
            assertThat(LimiterMetricsEndToEndTest.metrics(r))
                    .contains("strata_limiter_backend_up{backend=\"redis\"} 1.0")
                    .contains("strata_limiter_fallback_active{mode=\"closed\"} 0.0");
        }
    }

    private static String status(Replica r) throws Exception {
        return JSON.readTree(r.admin("GET", "/admin/status", null).body()).get("limiter").asText();
    }

    /** Requests until the limiter reports {@code mode}; Redis is probed once a second, so at most ~2 s. */
    private static void awaitLimiter(Replica r, String key, String mode) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!status(r).equals(mode) && System.nanoTime() < deadline) {
            r.complete(key, "m", 1);
        }
        assertThat(status(r)).isEqualTo(mode);
    }
}
