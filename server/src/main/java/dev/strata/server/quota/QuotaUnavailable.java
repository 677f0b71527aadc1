package dev.strata.server.quota;

/** The counters' store (Redis) cannot be reached; {@link FailoverQuotaBackend} handles it. */
public final class QuotaUnavailable extends RuntimeException {
    public QuotaUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
