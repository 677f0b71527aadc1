package dev.strata.server.cli;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.KvCacheDisk;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.server.config.ByteSize;
import dev.strata.server.config.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The KV cache options of {@code run} and {@code chat}, as a picocli mixin: storage type and the
 * prefix cache's directory and bound (the same flags {@code serve} has).
 */
final class KvCacheOptions {
    @Option(names = "--kv-cache-type", paramLabel = "TYPE",
            description = "How K/V rows are stored: f32 (default), f16 or q8_0.")
    String kvCacheType;

    @Option(names = "--kv-cache-dir", paramLabel = "DIR",
            description = "Persist the prefix cache in DIR/<model id>, so the next run reuses a shared prompt prefix.")
    Path kvCacheDir;

    @Option(names = "--kv-cache-disk-max", paramLabel = "SIZE",
            description = "Bound on the persisted prefix cache, bytes or a size like 1GiB (default 1GiB).")
    String kvCacheDiskMax;

    /** {@code options} with these settings; a bad value is a {@link CliException}. */
    EngineOptions apply(EngineOptions options, Path model) {
        EngineOptions o = options.withKvCacheType(type());
        if (kvCacheDir == null) {
            if (kvCacheDiskMax != null) {
                throw new CliException("--kv-cache-disk-max needs --kv-cache-dir", ExitCodes.BAD_INPUT);
            }
            return o;
        }
        if (Files.exists(kvCacheDir) && !Files.isDirectory(kvCacheDir)) {
            throw new CliException("--kv-cache-dir: not a directory: " + kvCacheDir, ExitCodes.BAD_INPUT);
        }
        long max = KvCacheDisk.DEFAULT_MAX_BYTES;
        if (kvCacheDiskMax != null) {
            try {
                max = ByteSize.parse(kvCacheDiskMax);
            } catch (IllegalArgumentException e) {
                throw new CliException("--kv-cache-disk-max: " + e.getMessage(), ExitCodes.BAD_INPUT);
            }
        }
        String id = ModelConfig.idOf(model).replaceAll("[^A-Za-z0-9._-]", "_");
        return o.withKvCacheDisk(new KvCacheDisk(kvCacheDir.resolve(id.startsWith(".") ? "_" + id : id), max));
    }

    private KvCacheType type() {
        if (kvCacheType == null) {
            return KvCacheType.F32;
        }
        try {
            return KvCacheType.parse(kvCacheType);
        } catch (IllegalArgumentException e) {
            throw new CliException("--kv-cache-type: " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
    }
}
