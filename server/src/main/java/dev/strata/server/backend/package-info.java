/**
 * Backends: where a chat completion is finally answered. One {@link dev.strata.server.backend.Backend}
 * interface, spoken in OpenAI's chat-completions JSON, with implementations for any OpenAI-compatible
 * upstream (vLLM, llama-server, TGI, Ollama, OpenAI itself), Anthropic's Messages API (translated both
 * ways) and {@link dev.strata.server.backend.Pool}s of replicas with least-outstanding-requests
 * balancing, prefix affinity, active health checks and outlier ejection. Failures are values
 * ({@link dev.strata.server.backend.BackendResult.Failed}) so routing can fall back without exceptions.
 * HTTP goes through a {@link dev.strata.server.backend.Transport}: Strata's own pooled HTTP/1.1
 * connections for plain {@code http://} upstreams, the JDK client for TLS and HTTP/2. Every upstream
 * call carries the loop guard's {@link dev.strata.server.backend.Hops} count; a request that goes
 * upstream unchanged is sent as the client's bytes ({@link dev.strata.server.backend.ClientBody}).
 */
package dev.strata.server.backend;
