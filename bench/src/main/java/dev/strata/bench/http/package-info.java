/**
 * The HTTP layer's benchmark ({@code ./strata bench http}): many small {@code /v1/completions}
 * requests ({@code max_tokens: 1}) against a server, reporting throughput, client-side latency
 * percentiles, and the server's own overhead (request received → response written, minus engine
 * time) from the {@code x-strata-overhead-micros} header.
 */
package dev.strata.bench.http;
