package dev.strata.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.generate.GenerationEvent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class EngineMetricsTest {

    @Test
    void keepsVllmNamesExactlyIncludingTheIterationTokensHistogram() {
        PrometheusMeterRegistry registry = PrometheusRegistries.bare();
        EngineMetrics metrics = new EngineMetrics(registry);
        metrics.finished("m", new GenerationEvent.Finished(GenerationEvent.FinishReason.CANCELLED,
                new GenerationEvent.Usage(7, 3, 0), new GenerationEvent.Timings(1_000_000, 30_000_000, 90_000_000)));
        metrics.interTokenLatency("m", 2_000_000);
        metrics.steps("m").onStep(7, 1);
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("vllm:prompt_tokens_total{model_name=\"m\"} 7.0")
                .contains("vllm:generation_tokens_total{model_name=\"m\"} 3.0")
                .contains("vllm:request_success_total{finished_reason=\"abort\",model_name=\"m\"} 1.0")
                .contains("vllm:request_success_total{finished_reason=\"stop\",model_name=\"m\"} 0.0")
                .contains("vllm:time_to_first_token_seconds_bucket{model_name=\"m\",le=\"0.04\"} 1")
                .contains("vllm:time_to_first_token_seconds_bucket{model_name=\"m\",le=\"0.02\"} 0")
                .contains("vllm:request_prefill_time_seconds_sum{model_name=\"m\"} 0.029")
                .contains("vllm:request_decode_time_seconds_sum{model_name=\"m\"} 0.06")
                .contains("vllm:request_queue_time_seconds_count{model_name=\"m\"} 1")
                .contains("vllm:e2e_request_latency_seconds_count{model_name=\"m\"} 1")
                .contains("vllm:inter_token_latency_seconds_bucket{model_name=\"m\",le=\"0.0025\"} 1")
                .contains("vllm:iteration_tokens_total_bucket{model_name=\"m\",le=\"8.0\"} 1")
                .contains("vllm:iteration_tokens_total_count{model_name=\"m\"} 1");
    }
}
