package dev.strata.server.inference;

import java.util.function.Supplier;

/**
 * One request that arrived over a transport without an HTTP exchange per call — a gRPC call, a
 * WebSocket message — as the observability side sees it: calls started {@link #within} it are
 * traced under its server span, exactly as calls of an HTTP request are, and {@link #end} closes
 * it. Opened by {@link InferenceService#observe}.
 */
public interface ObservedRequest {
    /** Observes nothing. */
    ObservedRequest NONE = new ObservedRequest() {
        @Override
        public <T> T within(Supplier<T> work) {
            return work.get();
        }

        @Override
        public void end(String status, boolean failed) {}
    };

    /** Runs {@code work} (which starts the call) with this request as the current one. */
    <T> T within(Supplier<T> work);

    /**
     * Ends the request: {@code status} as the transport names it ({@code OK}, {@code CANCELLED}, an
     * HTTP-like code of an error frame); {@code failed} marks the span as an error. Only the first
     * call counts.
     */
    void end(String status, boolean failed);
}
