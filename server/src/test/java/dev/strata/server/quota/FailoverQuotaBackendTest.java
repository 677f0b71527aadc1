package dev.strata.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailoverQuotaBackendTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();

    /** A local backend that fails like Redis while {@code down}. */
    private QuotaBackend flaky() {
        LocalQuotaBackend inner = new LocalQuotaBackend(nanos::get);
        return new QuotaBackend() {
            private void check() {
                if (down.get()) {
                    throw new QuotaUnavailable("down", null);
                }
            }

            public Take tryTake(String key, long capacity, long cost) { check(); return inner.tryTake(key, capacity, cost); }
            public void forceTake(String key, long capacity, long cost) { check(); inner.forceTake(key, capacity, cost); }
            public boolean tryAcquire(String key, int max) { check(); return inner.tryAcquire(key, max); }
            public void release(String key) { check(); inner.release(key); }
            public long add(String key, long delta, long ttl) { check(); return inner.add(key, delta, ttl); }
            public long get(String key) { check(); return inner.get(key); }
            public Batch takeAll(java.util.List<Bucket> b, java.util.List<Counter> c) { check(); return inner.takeAll(b, c); }
            public void settleAll(java.util.List<Bucket> d, java.util.List<Sum> s, java.util.List<String> r) { check(); inner.settleAll(d, s, r); }
            public long[] getAll(java.util.List<String> keys) { check(); return inner.getAll(keys); }
            public void close() {}
        };
    }

    @Test
    void localModeKeepsLimitingAndReturnsToPrimaryAfterProbe() {
        FailoverQuotaBackend f = new FailoverQuotaBackend(flaky(), new LocalQuotaBackend(nanos::get), FailureMode.LOCAL,
                nanos::get, 1_000_000_000L);
        assertThat(f.tryTake("k", 2, 1).granted()).isTrue();
        down.set(true);
        assertThat(f.tryTake("k", 2, 1).granted()).as("local bucket starts full").isTrue();
        assertThat(f.degraded()).isTrue();
        assertThat(f.tryTake("k", 2, 1).granted()).isTrue();
        assertThat(f.tryTake("k", 2, 1).granted()).as("local limit holds").isFalse();
        down.set(false);
        assertThat(f.tryTake("k", 2, 1).granted()).as("not probed yet").isFalse();
        nanos.addAndGet(1_000_000_000L);
        assertThat(f.tryTake("k", 2, 1).granted()).as("primary again, its bucket refilled").isTrue();
        assertThat(f.degraded()).isFalse();
        assertThat(f.failovers()).isEqualTo(1);
    }

    @Test
    void closedModeRefusesWhileDown() {
        FailoverQuotaBackend f = new FailoverQuotaBackend(flaky(), new LocalQuotaBackend(nanos::get), FailureMode.CLOSED,
                nanos::get, 1_000_000_000L);
        down.set(true);
        QuotaBackend.Take t = f.tryTake("k", 100, 1);
        assertThat(t.granted()).isFalse();
        assertThat(t.retryAfterMillis()).isEqualTo(1000);
        assertThat(f.tryAcquire("c", 10)).isFalse();
    }
}
