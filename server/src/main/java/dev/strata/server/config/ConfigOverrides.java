package dev.strata.server.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Values given on the command line; they win over the file and the environment. {@code null} (or
 * an empty {@code models}) leaves the setting alone.
 */
public record ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads) {
    public static final ConfigOverrides NONE = new ConfigOverrides(null, null, null, List.of(), null);

    public ConfigOverrides {
        models = List.copyOf(models);
    }
}
