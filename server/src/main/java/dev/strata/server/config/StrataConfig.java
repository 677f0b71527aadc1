package dev.strata.server.config;

import java.util.List;
import java.util.Objects;

/** The whole validated configuration: how to serve, which models, and tenancy (auth, limits, audit). */
public record StrataConfig(ServerConfig server, List<ModelConfig> models, TenancyConfig tenancy) {
    public StrataConfig(ServerConfig server, List<ModelConfig> models) {
        this(server, models, TenancyConfig.DEFAULTS);
    }

    public StrataConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tenancy, "tenancy");
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models must not be empty");
        }
    }

    public StrataConfig withTenancy(TenancyConfig t) {
        return new StrataConfig(server, models, t);
    }
}
