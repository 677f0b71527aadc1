package dev.strata.server.config;

import java.util.List;
import java.util.Objects;

/** The whole validated configuration: how to serve, which models, and how to log. */
public record StrataConfig(ServerConfig server, List<ModelConfig> models, ObserveConfig observe) {
    public StrataConfig(ServerConfig server, List<ModelConfig> models) {
        this(server, models, ObserveConfig.DEFAULTS);
    }

    public StrataConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(observe, "observe");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must not be empty");
        }
    }
}
