package dev.strata.server.observe;

import dev.strata.server.inference.ObservedRequest;
import dev.strata.server.trace.RequestTracer;
import dev.strata.server.log.JsonLog;
import dev.strata.server.log.LogLevel;
import dev.strata.server.metrics.GatewayMetrics;
import io.opentelemetry.api.trace.StatusCode;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A gRPC call or WebSocket message under observation: its {@link RequestScope} (no HTTP response,
 * so no cost header) and server span. Binding the scope while the call starts is all the
 * {@link CallObserver} needs to hang the parse, admission, queue, prefill and decode spans under
 * it and bill the right tenant, as for HTTP.
 */
final class TransportRequest implements ObservedRequest {
    private final ScopedValue<RequestScope> current;
    private final RequestScope scope;
    private final RequestTracer tracer;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final JsonLog log;

    TransportRequest(ScopedValue<RequestScope> current, RequestScope scope, RequestTracer tracer,
            LongSupplier nanoTime, GatewayMetrics metrics, JsonLog log) {
        this.metrics = metrics;
        this.log = log;
        this.current = current;
        this.scope = scope;
        this.tracer = tracer;
        this.nanoTime = nanoTime;
    }

    @Override
    public <T> T within(Supplier<T> work) {
        return ScopedValue.where(current, scope).call(work::get);
    }

    @Override
    public void end(String status, boolean failed) {
        if (!scope.finished.compareAndSet(false, true)) {
            return;
        }
        scope.span.setAttribute("strata.status", status);
        scope.span.setAttribute("strata.tenant", scope.tenant);
        if (failed) {
            scope.span.setStatus(StatusCode.ERROR, status);
        }
        long now = nanoTime.getAsLong();
        tracer.end(scope.span, now);
        // counted and logged like an HTTP request, under the transport's method and the call's name
        int code = statusCode(status);
        long nanos = Math.max(0, now - scope.receivedNanos);
        metrics.request(scope.route, scope.method, code, scope.tenant, nanos);
        LogLevel level = code >= 500 && code != 503 ? LogLevel.ERROR : code >= 400 ? LogLevel.WARN : LogLevel.INFO;
        if (log.enabled(level)) {
            log.log(level, "request", ObservingHandler.line(scope, code, nanos, null));
        }
    }

    /**
     * The HTTP status the same outcome gets on {@code /v1}, from a WebSocket status ({@code ok},
     * {@code client_gone}, a number) or a gRPC status code name.
     */
    static int statusCode(String status) {
        return switch (status) {
            case "ok", "OK" -> 200;
            case "client_gone", "interrupted", "CANCELLED" -> 499;
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "NOT_FOUND" -> 404;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "UNAVAILABLE" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> status.chars().allMatch(Character::isDigit) && !status.isEmpty() ? Integer.parseInt(status) : 500;
        };
    }
}
