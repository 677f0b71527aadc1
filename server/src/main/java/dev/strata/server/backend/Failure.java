package dev.strata.server.backend;

/** Why a backend gave no answer. {@link #retryable()} says whether another attempt may succeed. */
public enum Failure {
    /** Could not connect (refused, DNS, TLS). */
    CONNECT(true),
    /** No answer within the upstream's timeout. */
    TIMEOUT(true),
    /** 429 from the upstream. */
    RATE_LIMITED(true),
    /** 5xx from the upstream, or an error event in its stream. */
    SERVER_ERROR(true),
    /** The connection ended before the answer was complete. */
    DROPPED(true),
    /** All connections to the upstream are busy and none freed in time. */
    SATURATED(true),
    /** The circuit breaker of the upstream is open. */
    CIRCUIT_OPEN(true),
    /** A 4xx other than 429: the request itself is wrong, another backend would refuse it too. */
    CLIENT_ERROR(false),
    /** The caller stopped the stream. */
    CANCELLED(false);

    private final boolean retryable;

    Failure(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
