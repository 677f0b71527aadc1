package dev.strata.server.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Spans of one request: a server span that continues the caller's trace (W3C {@code traceparent}
 * and {@code tracestate}), and child spans for its stages. Stages are recorded after the fact from
 * {@link System#nanoTime()}-scale instants — the engine reports its queue, prefill and decode
 * times only when a generation ends — so every span is built with explicit start and end times,
 * converted to wall-clock time through one anchor taken when the tracer is built.
 */
public final class RequestTracer {
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    private final Tracer tracer;
    private final long anchorEpochNanos;
    private final long anchorNanoTime;

    /**
     * @param clock    wall clock (span timestamps)
     * @param nanoTime the monotonic clock the stage instants are taken from
     */
    public RequestTracer(OpenTelemetry openTelemetry, Clock clock, LongSupplier nanoTime) {
        this.tracer = openTelemetry.getTracer("dev.strata.server");
        this.anchorNanoTime = nanoTime.getAsLong();
        Instant now = clock.instant();
        this.anchorEpochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    /**
     * Starts the server span of a request that arrived at {@code receivedNanos}, as a child of the
     * trace its headers carry (a new trace when they carry none or an invalid one).
     *
     * @param header the request's header by name, or null
     */
    public Span startRequest(String name, Function<String, String> header, long receivedNanos) {
        Context parent = W3C.extract(Context.root(), header, HEADERS);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanos(receivedNanos), TimeUnit.NANOSECONDS).startSpan();
    }

    /** Records a finished stage of {@code parent} from {@code startNanos} to {@code endNanos}. */
    public void stage(Span parent, String name, long startNanos, long endNanos, Attributes attributes) {
        tracer.spanBuilder(name).setParent(Context.root().with(parent))
                .setStartTimestamp(epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .setAllAttributes(attributes).startSpan()
                .end(epochNanos(Math.max(startNanos, endNanos)), TimeUnit.NANOSECONDS);
    }

    /** Ends {@code span} at {@code endNanos}. */
    public void end(Span span, long endNanos) {
        span.end(epochNanos(endNanos), TimeUnit.NANOSECONDS);
    }

    private long epochNanos(long nanoTime) {
        return anchorEpochNanos + (nanoTime - anchorNanoTime);
    }

    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };
}
