package dev.strata.server.quota;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Redis first; while it is unreachable, the configured {@link FailureMode}. After a failure Redis is
 * not asked again for {@code probeNanos} (so an outage costs one timeout per probe, not one per
 * request); the first call after that probes it, and a success ends the outage. {@link #degraded()}
 * and {@link #failovers()} are exported so the outage shows in metrics.
 *
 * <p>Counters are not carried across: a replica on local limits starts from full buckets, and a
 * concurrency slot taken in Redis and released during an outage stays counted there until its TTL.
 */
public final class FailoverQuotaBackend implements QuotaBackend {
    private final QuotaBackend primary;
    private final QuotaBackend local;
    private final FailureMode mode;
    private final LongSupplier nanoTime;
    private final long probeNanos;
    private final AtomicLong downUntilNanos = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean degraded;

    public FailoverQuotaBackend(QuotaBackend primary, QuotaBackend local, FailureMode mode, LongSupplier nanoTime,
            long probeNanos) {
        this.primary = primary;
        this.local = local;
        this.mode = mode;
        this.nanoTime = nanoTime;
        this.probeNanos = probeNanos;
    }

    /** True while Redis is considered unreachable. */
    public boolean degraded() {
        return degraded;
    }

    /** How many times Redis was found unreachable. */
    public long failovers() {
        return failovers.get();
    }

    /** How many Redis operations failed (timeouts, refused connections, errors). */
    public long errors() {
        return errors.get();
    }

    public FailureMode mode() {
        return mode;
    }

    private boolean primaryUsable() {
        return !degraded || nanoTime.getAsLong() - downUntilNanos.get() >= 0;
    }

    private void failed() {
        errors.incrementAndGet();
        downUntilNanos.set(nanoTime.getAsLong() + probeNanos);
        if (!degraded) {
            failovers.incrementAndGet();
        }
        degraded = true;
    }

    @Override
    public Take tryTake(String key, long capacity, long cost) {
        if (primaryUsable()) {
            try {
                Take t = primary.tryTake(key, capacity, cost);
                degraded = false;
                return t;
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return switch (mode) {
            case LOCAL -> local.tryTake(key, capacity, cost);
            case CLOSED -> new Take(false, Math.max(1, probeNanos / 1_000_000));
        };
    }

    @Override
    public void forceTake(String key, long capacity, long cost) {
        if (primaryUsable()) {
            try {
                primary.forceTake(key, capacity, cost);
                degraded = false;
                return;
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        if (mode == FailureMode.LOCAL) {
            local.forceTake(key, capacity, cost);
        }
    }

    @Override
    public boolean tryAcquire(String key, int max) {
        if (primaryUsable()) {
            try {
                boolean ok = primary.tryAcquire(key, max);
                degraded = false;
                return ok;
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return mode == FailureMode.LOCAL && local.tryAcquire(key, max);
    }

    /**
     * Releases where it can. Which store granted the slot is not remembered; releasing the local
     * counter too is harmless (it never goes below zero).
     */
    @Override
    public void release(String key) {
        local.release(key);
        if (primaryUsable()) {
            try {
                primary.release(key);
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
    }

    @Override
    public long add(String key, long delta, long ttlSeconds) {
        long localSum = local.add(key, delta, ttlSeconds);
        if (primaryUsable()) {
            try {
                return primary.add(key, delta, ttlSeconds);
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return localSum;
    }

    @Override
    public long get(String key) {
        if (primaryUsable()) {
            try {
                return primary.get(key);
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return local.get(key);
    }

    @Override
    public Batch takeAll(List<Bucket> buckets, List<Counter> counters) {
        if (primaryUsable()) {
            try {
                Batch b = primary.takeAll(buckets, counters);
                degraded = false;
                return b;
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return switch (mode) {
            case LOCAL -> local.takeAll(buckets, counters);
            case CLOSED -> Batch.unavailable(Math.max(1, probeNanos / 1_000_000));
        };
    }

    @Override
    public void settleAll(List<Bucket> debts, List<Sum> sums, List<String> releases) {
        releases.forEach(local::release);
        if (primaryUsable()) {
            try {
                primary.settleAll(debts, sums, releases);
                degraded = false;
                return;
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        if (mode == FailureMode.LOCAL) {
            local.settleAll(debts, sums, List.of());
        }
    }

    @Override
    public long[] getAll(List<String> keys) {
        if (primaryUsable()) {
            try {
                return primary.getAll(keys);
            } catch (QuotaUnavailable e) {
                failed();
            }
        }
        return local.getAll(keys);
    }

    @Override
    public void close() {
        try {
            primary.close();
        } finally {
            local.close();
        }
    }
}
