/**
 * Observability's wiring into the request path. {@link dev.strata.server.observe.Observability}
 * builds metrics, traces, logs and cost accounting from the configuration and hands the server
 * three hooks: a Jetty handler wrapper that observes every HTTP request and serves
 * {@code GET /metrics} and {@code GET /v1/usage}, an
 * {@link dev.strata.server.inference.InferenceListener} that hears every call's tokens, and a
 * {@link dev.strata.engine.generate.StepListener} per model engine; besides, an upstream listener for
 * the routing stage and the caches' counters. The request and its calls meet through a scoped value
 * bound for the request's thread; gRPC calls and WebSocket messages bind one of their own
 * ({@link dev.strata.server.observe.TransportRequest}), so they get the same spans.
 */
package dev.strata.server.observe;
