package dev.strata.server.cli;

import dev.strata.engine.kv.KvCacheType;
import picocli.CommandLine.Option;

/** The {@code --kv-cache-type} option of {@code run} and {@code chat}, as a picocli mixin. */
final class KvCacheTypeOption {
    @Option(names = "--kv-cache-type", paramLabel = "TYPE",
            description = "How K/V rows are stored: f32 (default), f16 or q8_0.")
    String kvCacheType;

    /** The type asked for, F32 when not given; an unknown name is a {@link CliException}. */
    KvCacheType type() {
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
