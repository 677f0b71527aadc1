/**
 * The HTTP API: OpenAI's {@code /v1/chat/completions}, {@code /v1/completions} and {@code /v1/models},
 * the native {@code /v1/generate}, health and version. {@link dev.strata.server.api.ApiHandler} routes
 * and is the one place where failures become OpenAI's error object ({@link dev.strata.server.api.ErrorMapper});
 * {@link dev.strata.server.api.CallParser} turns request JSON into
 * {@link dev.strata.server.inference.InferenceCall}s; each endpoint class formats one kind of response,
 * whole or as server-sent events.
 */
package dev.strata.server.api;
