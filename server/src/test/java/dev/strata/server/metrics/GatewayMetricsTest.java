package dev.strata.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void tenantLabelsAreBoundedAndSanitised() {
        GatewayMetrics metrics = new GatewayMetrics(PrometheusRegistries.bare(), 2);
        assertThat(metrics.tenantLabel("acme")).isEqualTo("acme");
        assertThat(metrics.tenantLabel("beta-co")).isEqualTo("beta-co");
        assertThat(metrics.tenantLabel("gamma")).isEqualTo("other");
        assertThat(metrics.tenantLabel("acme")).isEqualTo("acme");
        assertThat(metrics.tenantLabel("a b\"c")).isEqualTo("invalid");
        assertThat(metrics.tenantLabel(null)).isEqualTo("invalid");
        assertThat(metrics.tenantLabel("x".repeat(65))).isEqualTo("invalid");
        assertThatThrownBy(() -> new GatewayMetrics(PrometheusRegistries.bare(), 0))
                .hasMessageContaining("maxTenants");
    }

    @Test
    void exportsStrataNames() {
        PrometheusMeterRegistry registry = PrometheusRegistries.bare();
        GatewayMetrics metrics = new GatewayMetrics(registry, 10);
        metrics.request("/v1/completions", "POST", 429, "acme", 1_000_000);
        metrics.rejected("m", "concurrency");
        metrics.usage("acme", "m", 10, 5, 0.25);
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("strata_requests_total{method=\"POST\",route=\"/v1/completions\",status=\"429\",tenant=\"acme\"} 1.0")
                .contains("strata_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/completions\",le=\"0.005\"} 1")
                .contains("strata_admission_rejects_total{model=\"m\",reason=\"concurrency\"} 1.0")
                .contains("strata_tokens_total{model=\"m\",tenant=\"acme\",type=\"prompt\"} 10.0")
                .contains("strata_cost_usd_total{model=\"m\",tenant=\"acme\"} 0.25");
    }

    @Test
    void metersAreRegisteredOncePerLabelSetNotPerRequest() {
        PrometheusMeterRegistry registry = PrometheusRegistries.bare();
        GatewayMetrics metrics = new GatewayMetrics(registry, 10);
        metrics.request("/v1/chat/completions", "POST", 200, "acme", 1_000);
        metrics.usage("acme", "m", 1, 1, 0.1);
        metrics.rejected("m", "rpm");
        int meters = registry.getMeters().size();
        for (int i = 0; i < 1000; i++) {
            metrics.request("/v1/chat/completions", "POST", 200, "acme", 1_000);
            metrics.usage("acme", "m", 1, 1, 0.1);
            metrics.rejected("m", "rpm");
        }
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.scrape()).contains(
                "strata_requests_total{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\",tenant=\"acme\"} 1001.0");
        metrics.request("/v1/chat/completions", "POST", 503, "acme", 1_000);
        assertThat(registry.getMeters()).hasSize(meters + 1); // a new status: one more counter
    }
}
