package dev.strata.server.quota;

import java.util.List;

/**
 * Shared counters, addressed by string keys. Buckets hold at most {@code capacity} tokens and refill
 * at {@code capacity} per minute, continuously (a token bucket; RPM and TPM are both this shape).
 * Every method is atomic on its key. Implementations throw {@link QuotaUnavailable} when their store
 * cannot be reached; a refusal is a value ({@link Take#granted()} false), never an exception.
 */
public interface QuotaBackend extends AutoCloseable {

    /** Takes {@code cost} tokens if the bucket has them; otherwise takes nothing and says how long to wait. */
    Take tryTake(String key, long capacity, long cost);

    /** Takes {@code cost} tokens even if that leaves the bucket in debt (settling tokens already used). */
    void forceTake(String key, long capacity, long cost);

    /** Increments the counter if it is below {@code max}; true when it did. */
    boolean tryAcquire(String key, int max);

    /** Decrements a counter incremented by {@link #tryAcquire} (never below zero). */
    void release(String key);

    /** Adds {@code delta} to a sum that expires {@code ttlSeconds} after its last change; returns the new sum. */
    long add(String key, long delta, long ttlSeconds);

    /** The current sum (0 when absent). */
    long get(String key);

    /**
     * All or nothing, in one step: takes every bucket's cost and increments every counter if each
     * bucket has its cost and each counter is below its max; otherwise changes nothing and names the
     * first bucket or counter that refused (index into buckets, then counters).
     */
    Batch takeAll(List<Bucket> buckets, List<Counter> counters);

    /** In one step: takes each debt (even into debt), adds each sum and releases each counter. */
    void settleAll(List<Bucket> debts, List<Sum> sums, List<String> releases);

    /** The current sums of {@code keys} (0 when absent), in one step. */
    long[] getAll(List<String> keys);

    @Override
    void close();

    /** A token bucket of {@code capacity} per minute and what to take from it. */
    record Bucket(String key, long capacity, long cost) {}

    /** A bounded counter. */
    record Counter(String key, int max) {}

    /** A sum and what to add; it expires {@code ttlSeconds} after its last change. */
    record Sum(String key, long delta, long ttlSeconds) {}

    /**
     * The outcome of {@link #takeAll}: granted, or which check refused and how long its bucket needs;
     * refused with {@code refusedIndex} -1 when no check could be made (the shared store is down and
     * the limiter fails closed).
     */
    record Batch(boolean granted, int refusedIndex, long retryAfterMillis) {
        public static final Batch GRANTED = new Batch(true, -1, 0);

        /** Refused because the limiter cannot check anything now. */
        public static Batch unavailable(long retryAfterMillis) {
            return new Batch(false, -1, retryAfterMillis);
        }

        /** True when refused because nothing could be checked. */
        public boolean unavailable() {
            return !granted && refusedIndex < 0;
        }
    }

    /** The outcome of {@link #tryTake}: granted, or how long until {@code cost} tokens would be there. */
    record Take(boolean granted, long retryAfterMillis) {
        public static final Take GRANTED = new Take(true, 0);

        public Take {
            if (retryAfterMillis < 0) {
                throw new IllegalArgumentException("retryAfterMillis must be >= 0, got " + retryAfterMillis);
            }
        }
    }
}
