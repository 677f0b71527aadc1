package dev.strata.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Every cache's effectiveness under one pair of names, labelled by cache:
 * {@code strata_cache_requests_total{cache,result="hit"|"miss"}} and
 * {@code strata_cache_evictions_total{cache}}. The counts are read from the cache at scrape time
 * (the cache keeps them, as Caffeine's {@code StatsCounter} does), so the request path pays nothing
 * for them. What one request is depends on the cache: a key lookup for {@code api_key}, a prompt
 * token for {@code prefix} (as vLLM's {@code prefix_cache_*} counters; evictions there are blocks).
 */
public final class CacheMetrics {
    /** One cache's cumulative counts. */
    public record Counts(long hits, long misses, long evictions) {
        public Counts {
            if (hits < 0 || misses < 0 || evictions < 0) {
                throw new IllegalArgumentException("cache counts must be >= 0");
            }
        }
    }

    private final MeterRegistry registry;
    /** Function counters hold their source weakly; this keeps the bound sources alive. */
    private final List<Supplier<Counts>> sources = new CopyOnWriteArrayList<>();

    public CacheMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Exports the counts {@code counts} reads (called once per scrape and series) under {@code cache}. */
    public void bind(String cache, Supplier<Counts> counts) {
        sources.add(counts);
        FunctionCounter.builder("strata.cache.requests", counts, c -> c.get().hits())
                .description("Cache lookups by result").tag("cache", cache).tag("result", "hit").register(registry);
        FunctionCounter.builder("strata.cache.requests", counts, c -> c.get().misses())
                .description("Cache lookups by result").tag("cache", cache).tag("result", "miss").register(registry);
        FunctionCounter.builder("strata.cache.evictions", counts, c -> c.get().evictions())
                .description("Entries a cache dropped to make room or because they expired").tag("cache", cache)
                .register(registry);
    }
}
