/**
 * Prometheus metrics: the registry ({@link dev.strata.server.metrics.PrometheusRegistries}), the
 * vLLM-named engine metrics so existing vLLM dashboards work unchanged
 * ({@link dev.strata.server.metrics.EngineMetrics}), Strata's own {@code strata_*} gateway metrics
 * ({@link dev.strata.server.metrics.GatewayMetrics}), routed upstreams' attempts and breakers
 * ({@link dev.strata.server.metrics.UpstreamMetrics}), caches' hits, misses and evictions
 * ({@link dev.strata.server.metrics.CacheMetrics}), the per-model gauges read from the registry
 * ({@link dev.strata.server.metrics.ModelGauges}), and the scrape ({@code GET /metrics}).
 */
package dev.strata.server.metrics;
