/**
 * OpenTelemetry tracing: {@link dev.strata.server.trace.TracingSetup} builds the SDK from the
 * standard {@code OTEL_*} environment variables (off unless an exporter or endpoint is set);
 * {@link dev.strata.server.trace.RequestTracer} starts a request's server span — continuing an
 * incoming W3C {@code traceparent} — and records its stages as child spans.
 */
package dev.strata.server.trace;
