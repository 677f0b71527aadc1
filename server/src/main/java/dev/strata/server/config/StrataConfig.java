package dev.strata.server.config;

import java.util.List;
import java.util.Objects;

/** The whole validated configuration: how to serve, and which models. */
public record StrataConfig(ServerConfig server, List<ModelConfig> models) {
    public StrataConfig {
        Objects.requireNonNull(server, "server");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must not be empty");
        }
    }
}
