package dev.strata.server.config;

import java.util.Locale;
import java.util.Objects;

/**
 * Logging settings (metrics are always on; tracing is configured by the standard {@code OTEL_*}
 * environment variables).
 *
 * @param logLevel   the least severe level written: {@code debug}, {@code info}, {@code warn},
 *                   {@code error} or {@code off}
 * @param logPrompts whether request log lines carry the prompt (off by default: prompts are
 *                   customer data)
 */
public record ObserveConfig(String logLevel, boolean logPrompts) {

    public static final ObserveConfig DEFAULTS = new ObserveConfig("info", false);

    public ObserveConfig {
        Objects.requireNonNull(logLevel, "logLevel");
        logLevel = logLevel.toLowerCase(Locale.ROOT);
        if (!java.util.Set.of("debug", "info", "warn", "error", "off").contains(logLevel)) {
            throw new IllegalArgumentException("logLevel must be one of debug, info, warn, error, off; got "
                    + logLevel);
        }
    }
}
