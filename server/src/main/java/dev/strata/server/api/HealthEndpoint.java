package dev.strata.server.api;

import dev.strata.server.registry.ModelRegistry;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (every model loaded
 * and warmed up, and not shutting down; 503 with the reason otherwise), for Kubernetes probes.
 */
final class HealthEndpoint {
    private final ModelRegistry registry;
    private final BooleanSupplier shuttingDown;
    private final int retryAfterSeconds;

    HealthEndpoint(ModelRegistry registry, BooleanSupplier shuttingDown, int retryAfterSeconds) {
        this.registry = registry;
        this.shuttingDown = shuttingDown;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    void live(Exchange exchange) throws Exception {
        exchange.sendJson(200, new ResponseShapes.Health("ok", null));
    }

    void ready(Exchange exchange) throws Exception {
        Optional<String> reason = shuttingDown.getAsBoolean() ? Optional.of("shutting down") : registry.notReadyReason();
        if (reason.isPresent()) {
            exchange.header("Retry-After", Integer.toString(retryAfterSeconds));
            exchange.sendJson(503, new ResponseShapes.Health("unavailable", reason.get()));
        } else {
            exchange.sendJson(200, new ResponseShapes.Health("ok", null));
        }
    }
}
