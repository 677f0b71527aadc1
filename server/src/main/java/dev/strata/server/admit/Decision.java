package dev.strata.server.admit;

/** The outcome of {@link Admission#admit}. The API edge maps each kind to one HTTP status. */
public sealed interface Decision {

    /**
     * Go ahead; close the permit when the request is done (it is idempotent).
     *
     * @param priority the priority to run at: the request's, capped by what its tenant and key may use
     *                 ({@code max_priority}); what the engine scheduler and upstreams are given
     */
    record Admitted(Permit permit, int priority) implements Decision {}

    /** Not now (429): a rate limit, budget or full queue; retry after {@code retryAfterSeconds}. */
    record Rejected(Limit limit, String reason, int retryAfterSeconds) implements Decision {}

    /** Not within the time the request may wait (503 with {@code Retry-After}). */
    record Unavailable(Limit limit, String reason, int retryAfterSeconds) implements Decision {}

    /** Which limit refused a request: a closed set, so it can label a metric. */
    enum Limit {
        /** Requests per minute. */
        RPM,
        /** Tokens per minute (or a prompt larger than the whole minute's tokens). */
        TPM,
        /** Concurrent requests of the tenant or key. */
        CONCURRENCY,
        /** Daily or monthly spend. */
        BUDGET,
        /** The tenant's queue (or, with no queueing, the server's slots) is full. */
        QUEUE_FULL,
        /** The wait for a slot would not, or did not, end within the limit. */
        QUEUE_TIMEOUT,
        /** The shared limiter (Redis) is down and configured to fail closed. */
        LIMITER_UNAVAILABLE;

        /** The metric label: {@code rpm}, {@code queue_full}, ... */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Never, for this caller (403): the model is not allowed. */
    record Forbidden(String reason) implements Decision {}

    /** The request exceeds a per-request limit (400), naming the request field. */
    record Invalid(String reason, String param) implements Decision {}

    /** Over budget with a downgrade configured: run the call on {@code model} instead. */
    record Downgraded(String model, String reason) implements Decision {}

    /** A slot held by an admitted request. */
    interface Permit extends AutoCloseable {

        /** How long the request waited for its slot. */
        default long queuedNanos() {
            return 0;
        }

        /** Called once when the request finished, with what it used (settles token and cost counters). */
        default void settle(int promptTokens, int completionTokens) {}

        @Override
        void close();
    }
}
