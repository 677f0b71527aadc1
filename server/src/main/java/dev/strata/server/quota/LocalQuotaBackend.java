package dev.strata.server.quota;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link QuotaBackend} in this process's memory: exact for one replica, and the fallback when Redis
 * is down. Sums never expire here (a process restart clears them; budgets are re-seeded from the
 * audit log at start).
 */
public final class LocalQuotaBackend implements QuotaBackend {
    private static final double NANOS_PER_MINUTE = 60e9;

    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, BucketState> buckets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, long[]> counters = new ConcurrentHashMap<>();

    public LocalQuotaBackend(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    private static final class BucketState {
        double tokens;
        long updatedNanos;

        BucketState(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }

        /** Refills to now; returns tokens per nanosecond. */
        double refill(long capacity, long now) {
            double rate = capacity / NANOS_PER_MINUTE;
            if (now > updatedNanos) {
                tokens = Math.min(capacity, tokens + (now - updatedNanos) * rate);
                updatedNanos = now;
            }
            return rate;
        }
    }

    private BucketState bucket(String key, long capacity) {
        return buckets.computeIfAbsent(key, k -> new BucketState(capacity, nanoTime.getAsLong()));
    }

    @Override
    public Take tryTake(String key, long capacity, long cost) {
        BucketState b = bucket(key, capacity);
        synchronized (b) {
            double rate = b.refill(capacity, nanoTime.getAsLong());
            if (b.tokens >= cost) {
                b.tokens -= cost;
                return Take.GRANTED;
            }
            return new Take(false, (long) Math.ceil((cost - b.tokens) / rate / 1e6));
        }
    }

    @Override
    public void forceTake(String key, long capacity, long cost) {
        BucketState b = bucket(key, capacity);
        synchronized (b) {
            b.refill(capacity, nanoTime.getAsLong());
            b.tokens -= cost;
        }
    }

    @Override
    public boolean tryAcquire(String key, int max) {
        long[] c = counters.computeIfAbsent(key, k -> new long[1]);
        synchronized (c) {
            if (c[0] >= max) {
                return false;
            }
            c[0]++;
            return true;
        }
    }

    @Override
    public void release(String key) {
        long[] c = counters.get(key);
        if (c != null) {
            synchronized (c) {
                c[0] = Math.max(0, c[0] - 1);
            }
        }
    }

    @Override
    public long add(String key, long delta, long ttlSeconds) {
        long[] c = counters.computeIfAbsent(key, k -> new long[1]);
        synchronized (c) {
            c[0] += delta;
            return c[0];
        }
    }

    @Override
    public long get(String key) {
        long[] c = counters.get(key);
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return c[0];
        }
    }

    /** Batches take one lock: simple and atomic; each operation is a few map lookups. */
    @Override
    public synchronized Batch takeAll(List<Bucket> bucketsToTake, List<Counter> countersToTake) {
        long now = nanoTime.getAsLong();
        for (int i = 0; i < bucketsToTake.size(); i++) {
            Bucket q = bucketsToTake.get(i);
            BucketState bucket = bucket(q.key(), q.capacity());
            synchronized (bucket) {
                double rate = bucket.refill(q.capacity(), now);
                if (bucket.tokens < q.cost()) {
                    return new Batch(false, i, (long) Math.ceil((q.cost() - bucket.tokens) / rate / 1e6));
                }
            }
        }
        for (int i = 0; i < countersToTake.size(); i++) {
            Counter c = countersToTake.get(i);
            if (get(c.key()) >= c.max()) {
                return new Batch(false, bucketsToTake.size() + i, 0);
            }
        }
        for (Bucket q : bucketsToTake) {
            forceTake(q.key(), q.capacity(), q.cost());
        }
        for (Counter c : countersToTake) {
            tryAcquire(c.key(), c.max());
        }
        return Batch.GRANTED;
    }

    @Override
    public synchronized void settleAll(List<Bucket> debts, List<Sum> sums, List<String> releases) {
        releases.forEach(this::release);
        for (Bucket d : debts) {
            forceTake(d.key(), d.capacity(), d.cost());
        }
        for (Sum s : sums) {
            add(s.key(), s.delta(), s.ttlSeconds());
        }
    }

    @Override
    public long[] getAll(List<String> keys) {
        long[] out = new long[keys.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(keys.get(i));
        }
        return out;
    }

    @Override
    public void close() {
        buckets.clear();
        counters.clear();
    }
}
