package dev.strata.server.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Builds the Prometheus registry a server exports: vLLM's names kept exact
 * ({@link VllmNamingConvention}), JVM memory, GC, threads, CPU and uptime, and the process's
 * resident memory (the model's mapped weights live outside the heap, so heap figures alone would
 * hide most of a model server's memory).
 */
public final class PrometheusRegistries {
    private PrometheusRegistries() {}

    /** A registry with vLLM-compatible naming and no meters yet (tests add their own). */
    public static PrometheusMeterRegistry bare() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().namingConvention(new VllmNamingConvention(registry.config().namingConvention()));
        return registry;
    }

    /** {@link #bare()} plus JVM, process and system meters. */
    public static PrometheusMeterRegistry withJvmMetrics() {
        PrometheusMeterRegistry registry = bare();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new ProcessMemoryMetrics(java.nio.file.Path.of("/proc/self/status")).bindTo(registry);
        return registry;
    }
}
