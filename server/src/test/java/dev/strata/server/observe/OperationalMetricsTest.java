package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.backend.FakeUpstream;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.registry.ServedModel;
import dev.strata.server.route.RoutesSource;
import dev.strata.server.testengine.TestEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's metrics beyond the engine's, after real requests: upstream attempts and circuit
 * breakers (loopback fake upstreams), cache hits, misses and evictions (API-key cache, prefix
 * cache), and model state and load time.
 */
class OperationalMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-secret";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> post(URI base, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Scrape scrape(URI base) throws Exception {
        return Scrape.parse(client.send(HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @Test
    void upstreamLatencyBreakerStateAndKeyCacheAfterRoutedRequests() throws Exception {
        try (FakeUpstream good = FakeUpstream.openAi(FakeUpstream.answer("fine thanks"));
                FakeUpstream bad = FakeUpstream.openAi(new FakeUpstream.Act.Status(500, null))) {
            Path config = dir.resolve("strata.yaml");
            Files.writeString(config, """
                    gateway:
                      breaker: {window: 2, min_calls: 2, failure_rate_percent: 50, open_ms: 600000}
                      upstreams:
                        - {name: good, base_url: "%s"}
                        - {name: bad, base_url: "%s"}
                      routes:
                        - {name: chat, targets: [good]}
                        - {name: flaky, targets: [bad, good], retry: {retries_per_target: 0, backoff_ms: 1, max_backoff_ms: 1}}
                      default_route: chat
                    """.formatted(good.baseUrl(), bad.baseUrl()));
            ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                    Optional.empty());
            TenancyConfig tenancy = new TenancyConfig(true, ADMIN, Duration.ofMinutes(10), Optional.of(dir), null, null,
                    "strata:", Duration.ofSeconds(1), dev.strata.server.quota.FailureMode.LOCAL, 0,
                    Duration.ofSeconds(30), List.of());
            StrataConfig cfg = new StrataConfig(server, List.of(new ModelConfig("local", Path.of("local.gguf"), 0, 0,
                    SamplingDefaults.NONE)), ObserveConfig.DEFAULTS, tenancy);
            Gateway front = new Gateway(cfg, c -> new LoadedModel(new TestEngine("local", 4096, 0),
                    new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                    Clock.systemUTC(), "test", Observability.fromEnvironment(cfg, Map.of(), Clock.systemUTC()),
                    new RoutesSource(config));
            front.start();
            try {
                URI base = front.httpUri();
                HttpResponse<String> made = client.send(HttpRequest.newBuilder(base.resolve("/admin/keys"))
                        .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"acme\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
                String key = JSON.readTree(made.body()).get("key").asText();

                Scrape before = scrape(base);
                assertThat(before.sum("strata_cache_requests_total", "cache", "api_key", "result", "miss")).isZero();
                for (int i = 0; i < 3; i++) {
                    assertThat(post(base, "/v1/chat/completions", key, chat("chat")).statusCode()).isEqualTo(200);
                }
                Scrape closed = scrape(base);
                assertThat(closed.samples()).as("no attempt at bad yet: no breaker, no series")
                        .noneMatch(x -> "bad".equals(x.labels().get("upstream")));
                assertThat(closed.sum("strata_upstream_breaker_state", "upstream", "good", "state", "closed"))
                        .isEqualTo(1);
                // bad fails twice (window 2, 100 % > 50 %): its breaker opens; the third call skips it
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> r = post(base, "/v1/chat/completions", key, chat("flaky"));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                Scrape s = scrape(base);
                assertThat(s.sum("strata_upstream_request_seconds_count", "upstream", "good", "outcome", "ok"))
                        .isEqualTo(6);
                assertThat(s.sum("strata_upstream_request_seconds_count", "upstream", "bad", "outcome", "server_error"))
                        .isEqualTo(2);
                assertThat(s.sum("strata_upstream_request_seconds_sum", "upstream", "good", "outcome", "ok"))
                        .isPositive();
                assertThat(s.sum("strata_upstream_request_seconds_bucket", "upstream", "bad", "outcome",
                        "server_error", "le", "+Inf")).isEqualTo(2);
                assertThat(s.sum("strata_upstream_breaker_state", "upstream", "bad", "state", "open")).isEqualTo(1);
                assertThat(s.sum("strata_upstream_breaker_state", "upstream", "bad", "state", "closed")).isZero();
                assertThat(s.sum("strata_upstream_breaker_state", "upstream", "bad")).isEqualTo(1);
                assertThat(s.sum("strata_upstream_breaker_state", "upstream", "good", "state", "closed"))
                        .isEqualTo(1);
                assertThat(s.sum("strata_upstream_breaker_state", "upstream", "good", "state", "open")).isZero();

                // one store lookup for the key, every later request a hit; nothing expired in 10 minutes
                assertThat(s.sum("strata_cache_requests_total", "cache", "api_key", "result", "miss")).isEqualTo(1);
                assertThat(s.sum("strata_cache_requests_total", "cache", "api_key", "result", "hit"))
                        .isGreaterThanOrEqualTo(5);
                assertThat(s.sum("strata_cache_evictions_total", "cache", "api_key")).isZero();
                assertThat(s.sum("strata_cache_requests_total", "cache", "api_key", "result", "hit"))
                        .isEqualTo((double) front.tenancy().authenticator().cacheStats().hits());
            } finally {
                front.stop();
            }
        }
    }

    @Test
    void prefixCacheAndModelStateAndLoadTime() throws Exception {
        try (ObservedServer server = ObservedServer.start(ObserveConfig.DEFAULTS)) {
            String prompt = "Once upon a time there was a little girl named Lily who loved to play outside in the "
                    + "park with her friends every day";
            for (int i = 0; i < 3; i++) {
                server.post("/v1/completions", "{\"model\":\"" + ObservedServer.MODEL + "\",\"prompt\":\"" + prompt
                        + "\",\"max_tokens\":2,\"temperature\":0}");
            }
            Scrape s = server.scrape();
            double queries = s.sum("vllm:prefix_cache_queries_total");
            double hits = s.sum("vllm:prefix_cache_hits_total");
            assertThat(hits).as("the second and third prompts find the first one's full blocks").isPositive();
            assertThat(s.sum("strata_cache_requests_total", "cache", "prefix", "result", "hit")).isEqualTo(hits);
            assertThat(s.sum("strata_cache_requests_total", "cache", "prefix", "result", "miss"))
                    .isEqualTo(queries - hits);
            assertThat(s.sum("strata_cache_evictions_total", "cache", "prefix")).isGreaterThanOrEqualTo(0);

            ServedModel m = server.gateway.registry().find(ObservedServer.MODEL).orElseThrow();
            assertThat(s.sum("strata_model_state", "model", ObservedServer.MODEL, "state", "ready")).isEqualTo(1);
            assertThat(s.sum("strata_model_state", "model", ObservedServer.MODEL)).isEqualTo(1);
            assertThat(s.sum("strata_model_load_seconds", "model", ObservedServer.MODEL))
                    .isPositive().isEqualTo(m.loadNanos() / 1e9);
        }
    }
}
