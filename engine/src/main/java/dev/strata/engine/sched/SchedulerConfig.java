package dev.strata.engine.sched;

/**
 * Limits of the {@link Scheduler}.
 *
 * @param maxNumSeqs       sequences running (holding KV memory) at once
 * @param maxBatchedTokens tokens computed per step (decode tokens plus prefill chunks); at least
 *                         {@code maxNumSeqs}
 * @param maxWaiting       requests queued beyond the running ones; more are refused
 */
public record SchedulerConfig(int maxNumSeqs, int maxBatchedTokens, int maxWaiting) {
    public SchedulerConfig {
        if (maxNumSeqs < 1) {
            throw new IllegalArgumentException("maxNumSeqs must be >= 1, got " + maxNumSeqs);
        }
        if (maxBatchedTokens < maxNumSeqs) {
            throw new IllegalArgumentException("maxBatchedTokens must be >= maxNumSeqs (" + maxNumSeqs + "), got "
                    + maxBatchedTokens);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting must be >= 0, got " + maxWaiting);
        }
    }
}
