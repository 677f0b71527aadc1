package dev.strata.server.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingSetupTest {

    @Test
    void offUnlessAnExporterOrEndpointIsConfigured() {
        assertThat(new TracingSetup(Map.of()).enabled()).isFalse();
        assertThat(new TracingSetup(Map.of()).open()).isSameAs(OpenTelemetry.noop());
        assertThat(new TracingSetup(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).enabled()).isTrue();
        assertThat(new TracingSetup(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")).enabled())
                .isTrue();
        assertThat(new TracingSetup(Map.of("OTEL_TRACES_EXPORTER", "otlp")).enabled()).isTrue();
        assertThat(new TracingSetup(Map.of("OTEL_TRACES_EXPORTER", "none",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).enabled()).isFalse();
        assertThat(new TracingSetup(Map.of("OTEL_SDK_DISABLED", "true",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).enabled()).isFalse();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "http/protobuf"})
    void buildsAnSdkFromTheEnvironmentWhenOn(String protocol) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
                "OTEL_SERVICE_NAME", "strata-test"));
        if (!protocol.isEmpty()) {
            env.put("OTEL_EXPORTER_OTLP_PROTOCOL", protocol);
        }
        OpenTelemetry otel = new TracingSetup(env).open();
        try {
            assertThat(otel).isInstanceOf(io.opentelemetry.sdk.OpenTelemetrySdk.class);
        } finally {
            TracingSetup.shutdown(otel);
        }
    }
}
