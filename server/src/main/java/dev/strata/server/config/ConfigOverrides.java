package dev.strata.server.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Values given on the command line; they win over the file and the environment. {@code null} (or
 * an empty {@code models}) leaves the setting alone. {@code threads}, {@code kvMemory} (a size such as
 * {@code "2GiB"}), {@code kvCacheType} ({@code f32}, {@code f16}, {@code q8_0}), {@code kvCacheDir} and
 * {@code kvCacheDiskMax} (a size) apply to every model.
 */
public record ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads,
        String kvMemory, String kvCacheType, Path kvCacheDir, String kvCacheDiskMax) {
    public static final ConfigOverrides NONE = new ConfigOverrides(null, null, null, List.of(), null, null, null, null,
            null);

    public ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads) {
        this(host, port, grpcPort, models, threads, null, null, null, null);
    }

    public ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads,
            String kvMemory) {
        this(host, port, grpcPort, models, threads, kvMemory, null, null, null);
    }

    public ConfigOverrides(String host, Integer port, Integer grpcPort, List<Path> models, Integer threads,
            String kvMemory, String kvCacheType) {
        this(host, port, grpcPort, models, threads, kvMemory, kvCacheType, null, null);
    }

    public ConfigOverrides {
        models = List.copyOf(models);
    }
}
