/**
 * Routing: which backend answers a chat completion, and what happens when it cannot. Declared under
 * {@code gateway:} in the config file ({@link dev.strata.server.route.RoutesConfig}) and swapped
 * atomically on reload ({@link dev.strata.server.route.Routing}): aliases, rules (first match wins,
 * default last; a {@link dev.strata.server.route.Classifier} rule asks a small model for a label),
 * fallback chains with a retry budget and per-upstream circuit breakers
 * ({@link dev.strata.server.route.Fallback}), cascades ({@link dev.strata.server.route.Cascade}),
 * sticky canaries ({@link dev.strata.server.route.Canary}), shadow traffic
 * ({@link dev.strata.server.route.Shadow}) and hedged requests ({@link dev.strata.server.route.Hedge}). {@link dev.strata.server.route.RouteHandler} is the HTTP
 * hook in front of the local API and the admin endpoints.
 */
package dev.strata.server.route;
