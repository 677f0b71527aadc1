package dev.strata.server.observe;

import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Response;

/**
 * What is known about one HTTP request while it runs: set up by {@link ObservingHandler}, filled in
 * by {@link CallObserver} on the same thread as the call's events arrive, and read once when the
 * request ends (metrics, span attributes, the request log line).
 */
final class RequestScope {
    final String method;
    final String route;
    /** From {@code x-strata-tenant}, replaced by the authenticated caller's tenant once a call starts. */
    volatile String tenant;
    final long receivedNanos;
    final Span span;
    /** The HTTP response, or null for a gRPC call or WebSocket message. */
    final Response response;
    final AtomicBoolean finished = new AtomicBoolean();

    // Filled in by the call observer; read after the endpoint returned (same thread, or happens-before
    // through Jetty's completion).
    volatile String callId;
    volatile String model;
    volatile long promptTokens;
    volatile long completionTokens;
    volatile Double costUsd;
    volatile Long timeToFirstTokenNanos;
    volatile String rejectReason;
    volatile Object prompt;
    final List<String> finishReasons = new ArrayList<>();

    RequestScope(String method, String route, String tenant, long receivedNanos, Span span, Response response) {
        this.method = method;
        this.route = route;
        this.tenant = tenant;
        this.receivedNanos = receivedNanos;
        this.span = span;
        this.response = response;
    }

    synchronized void addFinishReason(String reason) {
        finishReasons.add(reason);
    }

    synchronized List<String> finishReasons() {
        return List.copyOf(finishReasons);
    }
}
