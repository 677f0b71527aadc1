package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.audit.AuditQuery;
import dev.strata.server.audit.AuditRecord;
import dev.strata.server.backend.FakeUpstream;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.LoadedModel;
import dev.strata.server.tenant.Quota;
import dev.strata.server.testengine.TestEngine;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenant limits on requests the gateway routes to an upstream (a loopback fake OpenAI server). */
class TenantRouteGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** 25 tokens: the fake upstream reports one completion token per word, and 3 prompt tokens. */
    private static final String ANSWER = "a ".repeat(24) + "z";

    @TempDir
    Path dir;

    /** A server with one local model and a gateway whose default route sends everything else to {@code upstream}. */
    private Gateway start(FakeUpstream upstream) throws Exception {
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        StrataConfig config = new StrataConfig(server, List.of(new ModelConfig("local", Path.of("local.gguf"), 0, 0,
                SamplingDefaults.NONE)), ObserveConfig.DEFAULTS,
                TenancyConfig.DEFAULTS.withRequireAuth(true).withDataDir(dir));
        JsonNode section = JSON.readTree("""
                {"breaker": {"min_calls": 1000},
                 "upstreams": [{"name": "up", "base_url": "%s"}],
                 "routes": [{"name": "remote", "targets": ["up"]}],
                 "default_route": "remote"}""".formatted(upstream.baseUrl()));
        Gateway g = new Gateway(config, c -> new LoadedModel(new TestEngine("local", 4096, 0),
                new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                Clock.systemUTC(), "test", Observability.fromEnvironment(config, Map.of(), Clock.systemUTC()),
                () -> section);
        g.start();
        return g;
    }

    private static HttpResponse<String> chat(HttpClient http, Gateway g, String key, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(g.httpUri().resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The audit log once it has {@code rows} rows (bounded wait: a routed request's record is written
     * right after its response, which the client may see first).
     */
    private static List<AuditRecord> audit(Gateway g, int rows) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<AuditRecord> out;
        do {
            out = g.tenancy().audit().query(AuditQuery.all(100));
        } while (out.size() < rows && System.nanoTime() < deadline);
        return out;
    }

    private static String hi(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @Test
    void upstreamRequestsAreAdmittedAsTheTenantAndSettledFromTheUpstreamsUsage() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.openAi(FakeUpstream.answer(ANSWER));
                HttpClient http = HttpClient.newHttpClient()) {
            Gateway g = start(upstream);
            try {
                // 30 tokens per minute; "hi" is estimated at 1 token before admission, the upstream then
                // reports 3 + 25: the first request leaves 2, the second -26, the third is refused.
                Quota quota = new Quota(null, 30, null, null, Set.of("gpt-x"), null, null, null, null, null);
                String key = g.tenancy().keyAdmin().createKey("acme", quota).text();

                HttpResponse<String> forbidden = chat(http, g, key, hi("gpt-other"));
                assertThat(forbidden.statusCode()).isEqualTo(403);
                assertThat(JSON.readTree(forbidden.body()).at("/error/code").asText()).isEqualTo("model_not_allowed");
                assertThat(upstream.requests()).isEmpty();

                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> ok = chat(http, g, key, hi("gpt-x"));
                    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                }
                HttpResponse<String> limited = chat(http, g, key, hi("gpt-x"));
                assertThat(limited.statusCode()).isEqualTo(429);
                assertThat(JSON.readTree(limited.body()).at("/error/message").asText()).contains("tokens per minute");
                assertThat(limited.headers().firstValue("retry-after")).isPresent();
                assertThat(upstream.requests()).hasSize(2);
                HttpResponse<String> anonymous = chat(http, g, "sk-strata-0123456789ab_nope", hi("gpt-x"));
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(upstream.requests()).hasSize(2);

                List<AuditRecord> rows = audit(g, 5);
                assertThat(rows).extracting(AuditRecord::status).containsExactlyInAnyOrder(403, 200, 200, 429, 401);
                assertThat(rows).allSatisfy(a -> assertThat(a.endpoint()).isEqualTo("POST /v1/chat/completions"));
                assertThat(rows).filteredOn(a -> a.status() != 401)
                        .allSatisfy(a -> assertThat(a.tenant()).isEqualTo("acme"));
                assertThat(rows).filteredOn(a -> a.status() == 200).allSatisfy(a -> {
                    assertThat(a.model()).isEqualTo("gpt-x");
                    assertThat(a.promptTokens()).isEqualTo(3);
                    assertThat(a.completionTokens()).isEqualTo(25);
                    assertThat(a.outputSha256()).hasSize(64);
                });
            } finally {
                g.stop();
            }
        }
    }

    @Test
    void theUpstreamReceivesThePriorityCappedToWhatTheTenantMayUse() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.openAi(FakeUpstream.answer(ANSWER));
                HttpClient http = HttpClient.newHttpClient()) {
            Gateway g = start(upstream);
            try {
                Quota quota = new Quota(null, null, null, null, Set.of(), null, null, 2, null, null);
                String key = g.tenancy().keyAdmin().createKey("acme", quota).text();
                for (String priority : new String[] {"9", "1"}) {
                    assertThat(chat(http, g, key, "{\"model\":\"gpt-x\",\"priority\":" + priority
                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
                }
                assertThat(chat(http, g, key, hi("gpt-x")).statusCode()).isEqualTo(200);
                assertThat(upstream.requests()).extracting(b -> b.has("priority") ? b.get("priority").asInt() : null)
                        .containsExactly(2, 1, null);
            } finally {
                g.stop();
            }
        }
    }

    @Test
    void concurrencySlotsAreGivenBackWhenTheUpstreamFails() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.openAi(new FakeUpstream.Act.Status(500, null));
                HttpClient http = HttpClient.newHttpClient()) {
            Gateway g = start(upstream);
            try {
                Quota quota = new Quota(null, null, 1, null, Set.of(), null, null, null, null, null);
                String key = g.tenancy().keyAdmin().createKey("acme", quota).text();
                for (int i = 0; i < 3; i++) {
                    assertThat(chat(http, g, key, hi("gpt-x")).statusCode()).isEqualTo(502);
                }
                upstream.always(FakeUpstream.answer(ANSWER));
                assertThat(chat(http, g, key, hi("gpt-x")).statusCode()).isEqualTo(200);
                assertThat(audit(g, 4)).extracting(AuditRecord::status).containsExactlyInAnyOrder(502, 502, 502, 200);
            } finally {
                g.stop();
            }
        }
    }

    @Test
    void everyRoutedRequestHasItsAuditRowOnceTheServerIsClosed() throws Exception {
        int requests = 40;
        try (FakeUpstream upstream = FakeUpstream.openAi(FakeUpstream.answer(ANSWER));
                HttpClient http = HttpClient.newHttpClient()) {
            Gateway g = start(upstream);
            try {
                String key = g.tenancy().keyAdmin().createKey("acme", Quota.NONE).text();
                for (int i = 0; i < requests; i++) {
                    assertThat(chat(http, g, key, hi("gpt-x")).statusCode()).isEqualTo(200);
                }
            } finally {
                g.close(); // no flush, no query before: close alone must drain the writer's queue
            }
        }
        try (dev.strata.server.store.Database db = dev.strata.server.store.Database.sqlite(dir)) {
            List<AuditRecord> rows = new dev.strata.server.audit.JdbcAuditLog(db).query(AuditQuery.all(1000));
            assertThat(rows).hasSize(requests).allSatisfy(a -> {
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.promptSha256()).hasSize(64);
                assertThat(a.outputSha256()).hasSize(64);
            });
        }
    }

    @Test
    void aChatRequestRoutedAsItCameIsSentUpstreamAsTheClientsBytesAndAnsweredWithTheUpstreams() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.openAi(FakeUpstream.answer(ANSWER));
                HttpClient http = HttpClient.newHttpClient()) {
            Gateway g = start(upstream);
            try {
                String key = g.tenancy().keyAdmin().createKey("acme", Quota.NONE).text();
                // spacing, key order and an escape a re-serialisation would not keep
                String asSent = "{ \"messages\" : [ {\"content\":\"h\\u00e9\", \"role\":\"user\"} ],\n"
                        + "  \"model\":\"gpt-x\", \"max_tokens\": 5 }";
                HttpResponse<String> answer = chat(http, g, key, asSent);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(upstream.rawRequests()).containsExactly(asSent);
                assertThat(answer.body()).as("the upstream's answer, as it sent it").isEqualTo(
                        upstream.rawAnswers().getFirst());

                // stream:false is dropped for the upstream, as before: that body is serialised again
                String withStream = "{\"model\":\"gpt-x\",\"stream\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                assertThat(chat(http, g, key, withStream).statusCode()).isEqualTo(200);
                assertThat(upstream.requests().get(1).has("stream")).isFalse();
                assertThat(upstream.requests().get(1).at("/messages/0/content").asText()).isEqualTo("hi");
            } finally {
                g.close();
            }
        }
    }
}
