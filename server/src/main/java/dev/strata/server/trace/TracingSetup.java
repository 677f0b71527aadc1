package dev.strata.server.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds OpenTelemetry from the environment, with the SDK's own autoconfiguration, so every
 * standard variable works: {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_PROTOCOL},
 * {@code OTEL_EXPORTER_OTLP_HEADERS}, {@code OTEL_SERVICE_NAME}, {@code OTEL_RESOURCE_ATTRIBUTES},
 * {@code OTEL_TRACES_SAMPLER}, ... (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
 *
 * <p>OTLP goes over {@code http/protobuf} (port 4318, sent with the JDK's HTTP client, so no OkHttp
 * in the jar); {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc} is not supported and fails at start-up.
 *
 * <p>Tracing is off by default: it turns on only when {@code OTEL_TRACES_EXPORTER} names an exporter
 * or an OTLP endpoint is set, and {@code OTEL_SDK_DISABLED} is not {@code true}. Only traces are
 * exported (metrics go to Prometheus; logs to stdout); the service name defaults to {@code strata}.
 */
public final class TracingSetup {
    private final Map<String, String> env;

    /** @param env the process environment (tests pass their own) */
    public TracingSetup(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Whether the environment asks for traces. */
    public boolean enabled() {
        if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "").strip())) {
            return false;
        }
        String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").strip();
        if (!exporter.isEmpty()) {
            return !exporter.equalsIgnoreCase("none");
        }
        return !env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank()
                || !env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
    }

    /**
     * The SDK configured from the environment, or a no-op when tracing is off. Close it
     * ({@link #shutdown}) on exit so buffered spans are flushed.
     */
    public OpenTelemetry open() {
        if (!enabled()) {
            return OpenTelemetry.noop();
        }
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.service.name", "strata");
        properties.put("otel.traces.exporter", "otlp");
        properties.put("otel.exporter.otlp.protocol", "http/protobuf"); // the spec's default
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .build()
                .getOpenTelemetrySdk();
    }

    /** Flushes and stops {@code openTelemetry} if it is an SDK; a no-op otherwise. */
    public static void shutdown(OpenTelemetry openTelemetry) {
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }
}
