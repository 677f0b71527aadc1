package dev.strata.server.observe;

import dev.strata.server.inference.ObservedRequest;
import dev.strata.server.trace.RequestTracer;
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

    TransportRequest(ScopedValue<RequestScope> current, RequestScope scope, RequestTracer tracer,
            LongSupplier nanoTime) {
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
        tracer.end(scope.span, nanoTime.getAsLong());
    }
}
