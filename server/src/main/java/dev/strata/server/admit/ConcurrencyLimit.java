package dev.strata.server.admit;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * At most {@code maxConcurrent} requests in flight; one more is rejected at once rather than queued,
 * so an overloaded server answers 429 in microseconds instead of letting latency grow without bound.
 */
public final class ConcurrencyLimit implements Admission {
    private final Semaphore slots;
    private final int maxConcurrent;
    private final int retryAfterSeconds;

    public ConcurrencyLimit(int maxConcurrent, int retryAfterSeconds) {
        if (maxConcurrent <= 0) {
            throw new IllegalArgumentException("maxConcurrent must be > 0, got " + maxConcurrent);
        }
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must be >= 0, got " + retryAfterSeconds);
        }
        this.slots = new Semaphore(maxConcurrent);
        this.maxConcurrent = maxConcurrent;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Decision admit(AdmissionRequest request) {
        if (!slots.tryAcquire()) {
            return new Decision.Rejected("server is at its limit of " + maxConcurrent
                    + " concurrent requests; retry later", retryAfterSeconds);
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Decision.Admitted(() -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        });
    }

    /** Requests in flight now. */
    public int inFlight() {
        return maxConcurrent - slots.availablePermits();
    }
}
