package dev.strata.server.config;

/**
 * Request limits that protect the server.
 *
 * @param maxBodyBytes          largest accepted request body (413 beyond)
 * @param maxConcurrentRequests generation requests in flight at once (429 beyond)
 * @param maxN                  largest {@code n} (choices per request)
 * @param retryAfterSeconds     the {@code Retry-After} sent with 429 and 503
 */
public record Limits(long maxBodyBytes, int maxConcurrentRequests, int maxN, int retryAfterSeconds) {
    public static final Limits DEFAULTS = new Limits(4L << 20, 64, 16, 1);

    public Limits {
        if (maxBodyBytes <= 0 || maxConcurrentRequests <= 0 || maxN <= 0 || retryAfterSeconds < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxBodyBytes + ", "
                    + maxConcurrentRequests + ", " + maxN + ", " + retryAfterSeconds);
        }
    }
}
