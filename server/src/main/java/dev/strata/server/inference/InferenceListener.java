package dev.strata.server.inference;

/**
 * Hears what happens to the calls an {@link InferenceService} runs — for metrics, traces, request
 * logs and cost, which live outside this package. Every method runs on the caller's thread inside
 * the request path, so implementations must be quick and must not throw.
 */
public interface InferenceListener {

    /** Hears nothing. */
    InferenceListener NONE = new InferenceListener() {
        @Override
        public CallListener started(CallStarted call) {
            return CallListener.NONE;
        }

        @Override
        public void rejected(String model, String reason) {}
    };

    /**
     * A call passed every check and its engine requests were submitted. Called on the thread that
     * called {@link InferenceService#start}.
     *
     * @return the listener for this call's events
     */
    CallListener started(CallStarted call);

    /** Admission turned a call for {@code model} away, for {@code reason} (the client gets 429). */
    void rejected(String model, String reason);

    /**
     * A request arrived over gRPC or WebSocket ({@code transport}); the calls it starts inside
     * {@link ObservedRequest#within} belong to it. Nothing is observed by default.
     *
     * @param name    the request's span name ({@code strata.v1.Strata/Generate}, {@code WS /v1/stream})
     * @param headers its metadata or upgrade headers by lower-case name ({@code traceparent}), or null
     */
    default ObservedRequest open(String name, String transport, java.util.function.Function<String, String> headers) {
        return ObservedRequest.NONE;
    }

    /**
     * One started call.
     *
     * @param id             the call's id ({@code chatcmpl-...})
     * @param model          the model id that serves it
     * @param call           what was asked (its prompt text reaches logs only when configured)
     * @param promptTokens   prompt tokens, each prompt counted once however many choices it has
     * @param enteredNanos   {@link System#nanoTime()}-scale instant the service got the call
     * @param admittedNanos  ... when admission let it in (lookup, tokenization, checks happen before)
     * @param submittedNanos ... when its engine requests had been submitted
     * @param tenant         the authenticated caller's tenant, or null when authentication is off
     */
    record CallStarted(String id, String model, InferenceCall call, int promptTokens, long enteredNanos,
            long admittedNanos, long submittedNanos, String tenant) {}

    /** Hears one call's events, on the thread that reads its {@link Generation}. */
    interface CallListener {
        CallListener NONE = new CallListener() {
            @Override
            public void onEvent(ChoiceEvent event) {}

            @Override
            public void closed() {}
        };

        /** Each event as {@link Generation#next} hands it out: tokens, then a terminal event per choice. */
        void onEvent(ChoiceEvent event);

        /** The generation was closed (finished, failed or abandoned); called once. */
        void closed();
    }
}
