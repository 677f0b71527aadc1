package dev.strata.server.admit;

/**
 * Hears admission's outcomes, for metrics. Called on the request's thread inside the request path:
 * implementations must be quick and must not throw.
 */
public interface AdmissionMeter {
    /** Hears nothing. */
    AdmissionMeter NONE = new AdmissionMeter() {
        @Override
        public void refused(String tenant, String reason) {}

        @Override
        public void admitted(String tenant, long queuedNanos) {}
    };

    /**
     * A request was turned away.
     *
     * @param tenant the caller's tenant, or null when anonymous
     * @param reason a {@link Decision.Limit#label()}, {@code model_not_allowed} or {@code max_tokens}
     */
    void refused(String tenant, String reason);

    /** A request was admitted after waiting {@code queuedNanos} for its slot (0: at once). */
    void admitted(String tenant, long queuedNanos);
}
