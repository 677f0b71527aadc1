package dev.strata.server.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Values given on the command line; they win over the file and the environment. {@code null} (or
 * an empty {@code models}) leaves the setting alone. {@code threads} and {@code kvMemory} (a size such as
 * {@code "2GiB"}) apply to every model.
 */
public record ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads,
        String kvMemory) {
    public static final ConfigOverrides NONE = new ConfigOverrides(null, null, null, List.of(), null, null);

    public ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads) {
        this(host, port, grpcPort, models, threads, null);
    }

    public ConfigOverrides {
        models = List.copyOf(models);
    }
}
