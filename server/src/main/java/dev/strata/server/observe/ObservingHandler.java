package dev.strata.server.observe;

import dev.strata.server.log.JsonLog;
import dev.strata.server.log.LogLevel;
import dev.strata.server.metrics.GatewayMetrics;
import dev.strata.server.trace.RequestTracer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Observes every HTTP request around the handler it wraps: starts the request's server span
 * (continuing an incoming {@code traceparent}), binds a {@link RequestScope} for the calls the
 * request starts, and when the response ends — just before its last bytes are written, so a
 * client that has its answer always finds it counted — records {@code strata_requests_total} and
 * the latency, ends the span and writes the request's JSON log line.
 *
 * <p>Health probes and metric scrapes are counted but neither traced nor logged above debug. A 503
 * (not ready, draining) is a warning, other 5xx errors. The tenant is the {@code x-strata-tenant}
 * header until authentication assigns one.
 */
final class ObservingHandler extends Handler.Wrapper {
    static final String TENANT_HEADER = "x-strata-tenant";
    static final String TRACE_HEADER = "x-strata-trace-id";
    private static final String MODELS_PREFIX = "/v1/models/";
    /** Probes and scrapes: counted, but not traced and logged only at debug (they come every few seconds). */
    private static final Set<String> QUIET = Set.of("/health/live", "/health/ready", OperationsHandler.METRICS);

    private final ScopedValue<RequestScope> current;
    private final Set<String> routes;
    private final GatewayMetrics metrics;
    private final RequestTracer tracer;
    private final JsonLog log;
    private final LongSupplier nanoTime;

    /** @param routes the paths served, used as the {@code route} label (anything else is {@code unmatched}) */
    ObservingHandler(Handler api, ScopedValue<RequestScope> current, Set<String> routes, GatewayMetrics metrics,
            RequestTracer tracer, JsonLog log, LongSupplier nanoTime) {
        super(api);
        this.current = current;
        this.routes = Set.copyOf(routes);
        this.metrics = metrics;
        this.tracer = tracer;
        this.log = log;
        this.nanoTime = nanoTime;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        String route = route(request.getHttpURI().getDecodedPath());
        String tenant = request.getHeaders().get(TENANT_HEADER);
        long received = request.getHeadersNanoTime();
        Span span = QUIET.contains(route) ? Span.getInvalid()
                : tracer.startRequest(method + " " + route, request.getHeaders()::get, received);
        span.setAttribute("http.request.method", method);
        span.setAttribute("http.route", route);
        span.setAttribute("url.path", request.getHttpURI().getPath());
        SpanContext context = span.getSpanContext();
        if (context.isValid()) {
            response.getHeaders().put(TRACE_HEADER, context.getTraceId());
        }
        RequestScope scope = new RequestScope(method, route, tenant == null ? CallObserver.DEFAULT_TENANT : tenant,
                received, span, response);
        Response observed = new Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, ByteBuffer content, Callback written) {
                if (!isCommitted() && isEventStream(getHeaders())) {
                    // chunked already; the cost is known when the last chunk goes out
                    setTrailersSupplier(() -> costTrailer(scope));
                }
                if (last) {
                    finish(scope, getStatus(), null);
                }
                super.write(last, content, written);
            }
        };
        Callback done = new Callback() {
            @Override
            public void succeeded() {
                finish(scope, response.getStatus(), null);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                finish(scope, response.isCommitted() ? response.getStatus() : 500, failure);
                callback.failed(failure);
            }
        };
        boolean handled = ScopedValue.where(current, scope).call(() -> super.handle(request, observed, done));
        if (!handled) {
            finish(scope, 404, null);
        }
        return handled;
    }

    private static boolean isEventStream(HttpFields headers) {
        String type = headers.get(HttpHeader.CONTENT_TYPE);
        return type != null && type.startsWith("text/event-stream");
    }

    /** {@code x-strata-cost-usd} as an HTTP trailer of a streamed response, once the call was priced. */
    private static HttpFields costTrailer(RequestScope scope) {
        Double cost = scope.costUsd;
        return cost == null ? HttpFields.EMPTY
                : HttpFields.build().put(CallObserver.COST_HEADER, CallObserver.formatUsd(cost));
    }

    /** The route label of {@code path}: a served path, {@code /v1/models/{model}}, or {@code unmatched}. */
    String route(String path) {
        if (path == null) {
            return "unmatched";
        }
        if (routes.contains(path)) {
            return path;
        }
        if (path.startsWith(MODELS_PREFIX) && path.length() > MODELS_PREFIX.length()) {
            return "/v1/models/{model}";
        }
        return "unmatched";
    }

    /** Records the request once: metrics, span, log line. */
    private void finish(RequestScope scope, int status, Throwable failure) {
        if (!scope.finished.compareAndSet(false, true)) {
            return;
        }
        long now = nanoTime.getAsLong();
        long nanos = Math.max(0, now - scope.receivedNanos);
        metrics.request(scope.route, scope.method, status, scope.tenant, nanos);
        Span span = scope.span;
        span.setAttribute("http.response.status_code", status);
        span.setAttribute("strata.tenant", scope.tenant);
        if (status >= 500 || failure != null) {
            span.setStatus(StatusCode.ERROR, failure == null ? "HTTP " + status : failure.toString());
        }
        tracer.end(span, now);
        LogLevel level = QUIET.contains(scope.route) ? LogLevel.DEBUG
                : status >= 500 && status != 503 ? LogLevel.ERROR : status >= 400 ? LogLevel.WARN : LogLevel.INFO;
        if (log.enabled(level)) {
            log.log(level, "request", line(scope, status, nanos, failure));
        }
    }

    static Map<String, Object> line(RequestScope scope, int status, long nanos, Throwable failure) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", scope.callId);
        f.put("method", scope.method);
        f.put("route", scope.route);
        f.put("status", status);
        f.put("tenant", scope.tenant);
        f.put("model", scope.model);
        f.put("duration_ms", nanos / 1e6);
        if (scope.callId != null) {
            f.put("prompt_tokens", scope.promptTokens);
            f.put("completion_tokens", scope.completionTokens);
            f.put("finish_reasons", scope.finishReasons());
            f.put("ttft_ms", scope.timeToFirstTokenNanos == null ? null : scope.timeToFirstTokenNanos / 1e6);
            f.put("cost_usd", scope.costUsd);
        }
        f.put("admission_reject", scope.rejectReason);
        f.put("error", failure == null ? null : failure.getClass().getSimpleName());
        SpanContext context = scope.span.getSpanContext();
        if (context.isValid()) {
            f.put("trace_id", context.getTraceId());
            f.put("span_id", context.getSpanId());
        }
        f.put("prompt", scope.prompt);
        return f;
    }
}
