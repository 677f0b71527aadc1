package dev.strata.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The HTTP serve load against the demo model: every count the clients made matches {@code /metrics}. */
class HttpServeBenchmarkTest {
    @Test
    void loadCountsMatchTheMetricsIncrease() throws Exception {
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        Gateway gateway = new Gateway(new StrataConfig(server, List.of(new ModelConfig("stories260K", model, 1, 0,
                SamplingDefaults.NONE)), new ObserveConfig("warn", false)), new GgufModelLoader(4, 64),
                Clock.systemUTC(), "test");
        try {
            gateway.start();
            var tokenizer = gateway.registry().find("stories260K").orElseThrow().loaded().orElseThrow().engine()
                    .tokenizer();
            HttpServeBenchmark.Result r = new HttpServeBenchmark(gateway.httpUri(), "stories260K").run(tokenizer,
                    new ServeBenchmark.Config(model, 1, new int[] {1, 3}, 12, 5, 2, false, 64, 64));
            assertThat(r.levels()).extracting(LoadResult::numRequests).containsExactly(2, 6);
            assertThat(r.levels()).allSatisfy(l -> assertThat(l.generatedTokens()).isEqualTo(5L * l.numRequests()));
            Map<String, MetricsAgreement.Row> rows = new java.util.HashMap<>();
            r.agreement().rows().forEach(row -> rows.put(row.quantity(), row));
            assertThat(rows.get("requests").loadTest()).isEqualTo(8);
            assertThat(rows.get("prompt tokens").loadTest()).isEqualTo(8 * 12);
            assertThat(rows.get("generated tokens").loadTest()).isEqualTo(8 * 5);
            assertThat(r.agreement().rows()).allSatisfy(row -> assertThat(row.metrics()).as(row.quantity())
                    .isEqualTo(row.loadTest()));
            assertThat(r.agreement().agrees()).isTrue();
        } finally {
            gateway.stop();
        }
    }

    @Test
    void scrapeSumsMatchingSamplesAndDiffIsRelative() {
        MetricsScrape s = new MetricsScrape("""
                # HELP vllm:prompt_tokens_total x
                vllm:prompt_tokens_total{model_name="a"} 10.0
                vllm:prompt_tokens_total{model_name="b"} 5.0
                strata_requests_total{method="POST",route="/v1/completions",status="200",tenant="t1"} 3.0
                strata_requests_total{method="POST",route="/v1/completions",status="200",tenant="t2"} 4.0
                strata_requests_total{method="POST",route="/v1/completions",status="429",tenant="t2"} 9.0
                """);
        assertThat(s.sum("vllm:prompt_tokens_total", Map.of("model_name", "a"))).isEqualTo(10);
        assertThat(s.sum("strata_requests_total", Map.of("status", "200"))).isEqualTo(7);
        assertThat(s.sum("nothing", Map.of())).isZero();
        assertThat(new MetricsAgreement.Row("q", 100, 102, "m").diffPercent()).isEqualTo(2.0);
        assertThat(new MetricsAgreement(List.of(new MetricsAgreement.Row("q", 100, 103, "m"))).agrees()).isFalse();
    }
}
