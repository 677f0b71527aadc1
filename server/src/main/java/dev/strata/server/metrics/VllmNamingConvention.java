package dev.strata.server.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;

/**
 * Prometheus naming, except that a {@code vllm:} histogram or gauge keeps its name exactly as vLLM
 * spells it. Micrometer's convention drops a {@code _total} suffix from every name (and lets the
 * Prometheus client add it back to counters only), which would turn vLLM's histogram
 * {@code vllm:iteration_tokens_total} into {@code vllm:iteration_tokens}; counters still go through
 * the convention, so {@code vllm:prompt_tokens} is exported as {@code vllm:prompt_tokens_total}.
 */
final class VllmNamingConvention implements NamingConvention {
    private final NamingConvention prometheus;

    VllmNamingConvention(NamingConvention prometheus) {
        this.prometheus = prometheus;
    }

    @Override
    public String name(String name, Meter.Type type, String baseUnit) {
        boolean counter = type == Meter.Type.COUNTER;
        if (name.startsWith("vllm:") && !counter) {
            return name;
        }
        return prometheus.name(name, type, baseUnit);
    }

    @Override
    public String tagKey(String key) {
        return prometheus.tagKey(key);
    }

    @Override
    public String tagValue(String value) {
        return prometheus.tagValue(value);
    }
}
