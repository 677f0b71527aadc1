package dev.strata.server.metrics;

import dev.strata.engine.generate.EngineStats;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.registry.ModelState;
import dev.strata.server.registry.ServedModel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read at scrape time from each served model: the engine's state under vLLM's names
 * ({@code vllm:num_requests_running}, {@code vllm:num_requests_waiting},
 * {@code vllm:kv_cache_usage_perc}, and the cumulative preemption and prefix-cache counters), and
 * Strata's model lifecycle ({@code strata_model_state} — 1 for the model's current state, 0 for
 * the others — and {@code strata_model_load_seconds}).
 */
public final class ModelGauges {
    private ModelGauges() {}

    /** Registers the gauges of every model in {@code models}. */
    public static void bind(MeterRegistry registry, ModelRegistry models) {
        for (ServedModel m : models.all()) {
            String id = m.id();
            gauge(registry, "vllm:num_requests_running", "Requests in model execution batches", m,
                    s -> stats(s).numRunning());
            gauge(registry, "vllm:num_requests_waiting", "Requests waiting to be processed", m,
                    s -> stats(s).numWaiting());
            gauge(registry, "vllm:kv_cache_usage_perc", "KV-cache usage; 1 means 100 percent", m,
                    s -> stats(s).kvCacheUsage());
            counter(registry, "vllm:num_preemptions", "Cumulative preemptions", m, s -> stats(s).numPreemptions());
            counter(registry, "vllm:prefix_cache_queries", "Prefix-cache queries, in tokens", m,
                    s -> stats(s).prefixCacheQueries());
            counter(registry, "vllm:prefix_cache_hits", "Prefix-cache hits, in tokens", m,
                    s -> stats(s).prefixCacheHits());
            for (ModelState state : ModelState.values()) {
                Gauge.builder("strata.model.state", m, s -> s.state() == state ? 1 : 0)
                        .description("1 for the model's current state").tag("model", id)
                        .tag("state", state.apiName()).strongReference(true).register(registry);
            }
            Gauge.builder("strata.model.load", m, s -> s.loadNanos() / 1e9).baseUnit("seconds")
                    .description("Time the model took to load and warm up").tag("model", id)
                    .strongReference(true).register(registry);
        }
    }

    private static EngineStats stats(ServedModel m) {
        return m.loaded().map(l -> l.engine().stats()).orElse(EngineStats.IDLE);
    }

    private static void gauge(MeterRegistry registry, String name, String description, ServedModel m,
            ToDoubleFunction<ServedModel> value) {
        Gauge.builder(name, m, value).description(description).tag("model_name", m.id()).strongReference(true)
                .register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String description, ServedModel m,
            ToDoubleFunction<ServedModel> value) {
        FunctionCounter.builder(name, m, value).description(description).tag("model_name", m.id())
                .register(registry);
    }
}
