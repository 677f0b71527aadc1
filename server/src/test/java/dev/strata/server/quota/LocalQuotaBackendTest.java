package dev.strata.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalQuotaBackendTest {
    private final AtomicLong nanos = new AtomicLong();
    private final LocalQuotaBackend backend = new LocalQuotaBackend(nanos::get);

    @Test
    void bucketGrantsCapacityThenRefillsPerMinute() {
        for (int i = 0; i < 60; i++) {
            assertThat(backend.tryTake("b", 60, 1).granted()).isTrue();
        }
        QuotaBackend.Take refused = backend.tryTake("b", 60, 1);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.retryAfterMillis()).isEqualTo(1000);
        nanos.addAndGet(1_000_000_000L);
        assertThat(backend.tryTake("b", 60, 1).granted()).isTrue();
        assertThat(backend.tryTake("b", 60, 1).granted()).isFalse();
    }

    @Test
    void forcedTakeLeavesDebtThatDelaysTheNextRequest() {
        assertThat(backend.tryTake("t", 600, 100).granted()).isTrue();
        backend.forceTake("t", 600, 1000);
        QuotaBackend.Take t = backend.tryTake("t", 600, 1);
        assertThat(t.granted()).isFalse();
        assertThat(t.retryAfterMillis()).isEqualTo(50_100);
    }

    @Test
    void boundedCounterAndSums() {
        assertThat(backend.tryAcquire("c", 2)).isTrue();
        assertThat(backend.tryAcquire("c", 2)).isTrue();
        assertThat(backend.tryAcquire("c", 2)).isFalse();
        backend.release("c");
        assertThat(backend.tryAcquire("c", 2)).isTrue();
        assertThat(backend.add("s", 5, 60)).isEqualTo(5);
        assertThat(backend.add("s", 7, 60)).isEqualTo(12);
        assertThat(backend.get("s")).isEqualTo(12);
        assertThat(backend.get("none")).isZero();
    }

    @Test
    void batchesAreAllOrNothing() {
        java.util.List<QuotaBackend.Bucket> buckets = java.util.List.of(new QuotaBackend.Bucket("rpm", 2, 1),
                new QuotaBackend.Bucket("tpm", 100, 60));
        assertThat(backend.takeAll(buckets, java.util.List.of(new QuotaBackend.Counter("c", 1))).granted()).isTrue();
        QuotaBackend.Batch refused = backend.takeAll(buckets, java.util.List.of());
        assertThat(refused.refusedIndex()).isEqualTo(1);
        assertThat(backend.takeAll(java.util.List.of(), java.util.List.of(new QuotaBackend.Counter("c", 1))).refusedIndex())
                .isZero();
        assertThat(backend.tryTake("rpm", 2, 1).granted()).isTrue();
    }
}
