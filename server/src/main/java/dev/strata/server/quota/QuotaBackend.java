package dev.strata.server.quota;

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

    @Override
    void close();

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
