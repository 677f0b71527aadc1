package dev.strata.server.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.server.testservices.RedisProcess;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lua scripts against a real redis-server. */
class RedisQuotaBackendTest {
    private static RedisProcess redis;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.find().isPresent(), RedisProcess.MISSING);
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private RedisQuotaBackend backend() {
        return new RedisQuotaBackend(redis.url(), "t-" + UUID.randomUUID() + ":", Duration.ofMillis(1000));
    }

    @Test
    void bucketCountersAndSums() {
        try (RedisQuotaBackend b = backend()) {
            for (int i = 0; i < 3; i++) {
                assertThat(b.tryTake("rpm", 3, 1).granted()).isTrue();
            }
            QuotaBackend.Take refused = b.tryTake("rpm", 3, 1);
            assertThat(refused.granted()).isFalse();
            assertThat(refused.retryAfterMillis()).isBetween(15_000L, 20_000L);
            b.forceTake("tpm", 600, 700);
            assertThat(b.tryTake("tpm", 600, 1).granted()).as("in debt").isFalse();
            assertThat(b.tryAcquire("c", 1)).isTrue();
            assertThat(b.tryAcquire("c", 1)).isFalse();
            b.release("c");
            assertThat(b.tryAcquire("c", 1)).isTrue();
            assertThat(b.add("s", 5, 60)).isEqualTo(5);
            assertThat(b.add("s", 6, 60)).isEqualTo(11);
            assertThat(b.get("s")).isEqualTo(11);
            assertThat(b.get("absent")).isZero();
        }
    }

    @Test
    void downRedisIsQuotaUnavailableAndScriptsReloadAfterRestart() throws Exception {
        try (RedisQuotaBackend b = backend()) {
            assertThat(b.tryTake("k", 10, 1).granted()).isTrue();
            redis.kill();
            try {
                assertThatThrownBy(() -> b.tryTake("k", 10, 1)).isInstanceOf(QuotaUnavailable.class);
            } finally {
                redis.startAgain();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            QuotaBackend.Take t = null;
            while (t == null && System.nanoTime() < deadline) {
                try {
                    t = b.tryTake("k", 10, 1);
                } catch (QuotaUnavailable e) {
                    Thread.onSpinWait(); // reconnecting
                }
            }
            assertThat(t).isNotNull();
            assertThat(t.granted()).isTrue();
        }
    }
}
