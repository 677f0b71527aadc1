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
    void batchesAreAllOrNothing() {
        try (RedisQuotaBackend b = backend()) {
            java.util.List<QuotaBackend.Bucket> buckets = java.util.List.of(new QuotaBackend.Bucket("rpm", 2, 1),
                    new QuotaBackend.Bucket("tpm", 100, 60));
            java.util.List<QuotaBackend.Counter> slots = java.util.List.of(new QuotaBackend.Counter("c", 5));
            assertThat(b.takeAll(buckets, slots).granted()).isTrue();
            QuotaBackend.Batch refused = b.takeAll(buckets, slots);
            assertThat(refused.granted()).isFalse();
            assertThat(refused.refusedIndex()).as("tpm has 40 < 60").isEqualTo(1);
            assertThat(b.tryTake("rpm", 2, 1).granted()).as("rpm was not taken by the refused batch").isTrue();
            assertThat(b.get("c")).isEqualTo(1);
            b.settleAll(java.util.List.of(new QuotaBackend.Bucket("tpm", 100, -60)),
                    java.util.List.of(new QuotaBackend.Sum("spend", 7, 60)), java.util.List.of("c"));
            assertThat(b.get("c")).as("released in the same step").isZero();
            assertThat(b.tryTake("tpm", 100, 100).granted()).as("refunded to full").isTrue();
            assertThat(b.getAll(java.util.List.of("spend", "none"))).containsExactly(7, 0);
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
