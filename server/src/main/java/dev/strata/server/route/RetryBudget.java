package dev.strata.server.route;

/**
 * Caps retries as a share of traffic so that a failing upstream is not hit with a multiple of the
 * load (the retry budget of Finagle and Envoy): each request deposits {@code ratio} of a token, each
 * retry takes one, and {@code minRetries} tokens are always there. Thread-safe.
 */
final class RetryBudget {
    private final double ratio;
    private final int minRetries;
    private final double capacity;
    private double tokens;

    RetryBudget(double ratio, int minRetries) {
        if (ratio < 0 || minRetries < 0) {
            throw new IllegalArgumentException("budget_ratio and budget_min_retries must be >= 0");
        }
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.capacity = minRetries + ratio * 1_000;
        this.tokens = minRetries;
    }

    synchronized void onRequest() {
        tokens = Math.min(capacity, tokens + ratio);
    }

    synchronized boolean tryRetry() {
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    synchronized double available() {
        return tokens;
    }

    int minRetries() {
        return minRetries;
    }
}
