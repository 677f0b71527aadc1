package dev.strata.server.config;

import java.util.List;
import java.util.Objects;

/** The whole validated configuration: how to serve, which models, how to log, and tenancy (auth, limits, audit). */
public record StrataConfig(ServerConfig server, List<ModelConfig> models, ObserveConfig observe,
        TenancyConfig tenancy) {
    public StrataConfig(ServerConfig server, List<ModelConfig> models) {
        this(server, models, ObserveConfig.DEFAULTS);
    }

    public StrataConfig(ServerConfig server, List<ModelConfig> models, ObserveConfig observe) {
        this(server, models, observe, TenancyConfig.DEFAULTS);
    }

    public StrataConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(observe, "observe");
        Objects.requireNonNull(tenancy, "tenancy");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must not be empty");
        }
    }

    public StrataConfig withTenancy(TenancyConfig t) {
        return new StrataConfig(server, models, observe, t);
    }
}
