package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.backend.FakeUpstream;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.LoadedModel;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.chat.TemplateChatFormatter;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing stage end to end on loopback: a front Strata with a {@code gateway:} config, a second
 * Strata serving the demo model as an OpenAI upstream, and scriptable fake OpenAI and Anthropic
 * upstreams.
 */
class RoutingEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static TestGateway strata2;
    static FakeUpstream oa;
    static FakeUpstream claude;
    static FakeUpstream flaky;
    static FakeUpstream small;
    static FakeUpstream big;
    static FakeUpstream cand;
    static FakeUpstream shadowy;
    static FakeUpstream dropper;
    static FakeUpstream slowpoke;
    static FakeUpstream labeler;
    static Gateway front;
    static Http http;
    static Path configFile;

    @BeforeAll
    static void start() throws Exception {
        strata2 = TestGateway.demo(Limits.DEFAULTS);
        oa = FakeUpstream.openAi(FakeUpstream.answer("from oa"));
        claude = FakeUpstream.anthropic(FakeUpstream.answer("from claude"));
        flaky = FakeUpstream.openAi(FakeUpstream.answer("from flaky"));
        small = FakeUpstream.openAi(FakeUpstream.answer("small says hi", -0.1));
        big = FakeUpstream.openAi(FakeUpstream.answer("big says hello", -0.1));
        cand = FakeUpstream.openAi(FakeUpstream.answer("from candidate"));
        shadowy = FakeUpstream.openAi(FakeUpstream.answer("from oa"));
        dropper = FakeUpstream.openAi(new FakeUpstream.Act.Drop(2));
        slowpoke = FakeUpstream.openAi(new FakeUpstream.Act.Hang());
        labeler = FakeUpstream.openAi(FakeUpstream.answer("code"));
        Files.writeString(dir.resolve("oa.key"), "sk-test-123\n");
        configFile = dir.resolve("strata.yaml");
        Files.writeString(configFile, config("chat"));
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        StrataConfig cfg = new StrataConfig(server, List.of(new ModelConfig("local", Path.of("local.gguf"), 0, 0,
                SamplingDefaults.NONE)));
        front = new Gateway(cfg, c -> new LoadedModel(new TestEngine("local", 4096, 0),
                new TemplateChatFormatter(ChatTemplate.chatMl(TemplateOptions.of("<s>", "</s>")))),
                Clock.systemUTC(), "test", Observability.fromEnvironment(cfg, Map.of(), Clock.systemUTC()),
                new RoutesSource(configFile));
        front.start();
        http = new Http(front.httpUri());
    }

    static String config(String fastAlias) {
        return """
                gateway:
                  breaker: {min_calls: 1000}
                  upstreams:
                    - {name: strata2, base_url: "%s/v1"}
                    - {name: oa, base_url: "%s", api_key_file: "%s"}
                    - {name: claude, protocol: anthropic, base_url: "%s", model: claude-x}
                    - {name: flaky, base_url: "%s", timeout_ms: 300}
                    - {name: small, base_url: "%s"}
                    - {name: big, base_url: "%s"}
                    - {name: cand, base_url: "%s"}
                    - {name: shadowy, base_url: "%s", timeout_ms: 300}
                    - {name: dropper, base_url: "%s"}
                    - {name: mine, protocol: local, model: local}
                    - {name: slowpoke, base_url: "%s"}
                    - {name: labeler, base_url: "%s", model: tiny-classifier}
                  routes:
                    - {name: chat, targets: [oa]}
                    - {name: claude, targets: [claude]}
                    - {name: story, targets: [strata2]}
                    - {name: resilient, targets: [flaky, oa], retry: {backoff_ms: 1, max_backoff_ms: 2}}
                    - {name: cascade, cascade: {tiers: [small, big], min_mean_logprob: -1.0}}
                    - {name: early, cascade: {tiers: [small, big], mode: early, early_tokens: 2, min_mean_logprob: -1.0}}
                    - {name: json, cascade: {tiers: [small, big], json_schema: {type: object, required: [answer]}}}
                    - {name: ab, targets: [oa], canary: {target: cand, weight_percent: 50, sticky: user}}
                    - {name: mirrored, targets: [oa], shadow: {target: shadowy, percent: 100}}
                    - {name: dropping, targets: [dropper, oa]}
                    - {name: onlocal, targets: [mine]}
                    - {name: localfirst, cascade: {tiers: [mine, big], min_chars: 1000}}
                    - {name: hedged, targets: [slowpoke, oa], hedge_after_ms: 50}
                  aliases: {fast: %s}
                  rules:
                    - {tags: {task: triage}, classifier: {model: labeler, labels: {code: claude, chat: chat}}}
                    - {route: claude, tags: {task: summarize}}
                    - {route: json, regex: "(?i)answer in json"}
                    - {route: story, keywords: [once upon]}
                  default_route: chat
                """.formatted(strata2.uri().toString().replaceAll("/$", ""), oa.baseUrl(), dir.resolve("oa.key"),
                claude.baseUrl(), flaky.baseUrl(), small.baseUrl(), big.baseUrl(), cand.baseUrl(), shadowy.baseUrl(),
                dropper.baseUrl(), slowpoke.baseUrl(), labeler.baseUrl(), fastAlias);
    }

    @AfterAll
    static void stop() {
        front.stop();
        for (AutoCloseable c : new AutoCloseable[] {oa, claude, flaky, small, big, cand, shadowy, dropper, slowpoke,
                labeler, strata2}) {
            try {
                c.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    static HttpResponse<String> chat(String model, String text, String extra) throws Exception {
        return http.post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"" + text + "\"}]" + extra + "}");
    }

    static String content(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText();
    }

    static String route(HttpResponse<String> r) {
        return r.headers().firstValue("x-strata-route").orElse("");
    }

    /** Concatenated delta contents of an SSE body, and whether it ended with [DONE]. */
    static String streamed(HttpResponse<String> r) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode n = JSON.readTree(line.substring(6));
                if (n.has("error")) {
                    sb.append("<error>");
                }
                sb.append(n.path("choices").path(0).path("delta").path("content").asText(""));
            }
        }
        return sb.toString();
    }

    @Test
    void aliasRoutesToUpstreamWithKeyFromSecretFile() throws Exception {
        HttpResponse<String> r = chat("fast", "hi", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(content(r)).isEqualTo("from oa");
        assertThat(route(r)).startsWith("route=chat; target=oa");
        assertThat(oa.authHeaders()).contains("Bearer sk-test-123");
    }

    @Test
    void legacyCompletionsAreRoutedAsChatAndAnsweredAsTextCompletions() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"fast\",\"prompt\":\"say hi\","
                + "\"max_tokens\":5}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(route(r)).startsWith("route=chat; target=oa");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("text_completion");
        assertThat(body.path("choices").path(0).path("text").asText()).isEqualTo("from oa");
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        JsonNode sent = oa.requests().getLast();
        assertThat(sent.path("messages").path(0).path("content").asText()).isEqualTo("say hi");
        assertThat(sent.has("prompt")).isFalse();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(5);
        assertThat(oa.hopHeaders().getLast()).isEqualTo("1");

        HttpResponse<String> s = http.post("/v1/completions", "{\"model\":\"fast\",\"prompt\":[\"say hi\"],"
                + "\"stream\":true}");
        StringBuilder text = new StringBuilder();
        for (String line : s.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = JSON.readTree(line.substring(6));
                assertThat(chunk.path("object").asText()).isEqualTo("text_completion");
                text.append(chunk.path("choices").path(0).path("text").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo("from oa");
        assertThat(s.body()).endsWith("data: [DONE]\n\n");

        HttpResponse<String> echo = http.post("/v1/completions", "{\"model\":\"fast\",\"prompt\":\"x\","
                + "\"echo\":true}");
        assertThat(echo.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(echo.body()).path("error").path("param").asText()).isEqualTo("echo");
    }

    @Test
    void aRequestThatPassedTooManyGatewaysIsRefusedAsALoop() throws Exception {
        int before = oa.requests().size();
        HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(front.httpUri()
                .resolve("/v1/chat/completions")).header("content-type", "application/json")
                .header("x-strata-hops", "8").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(r.statusCode()).isEqualTo(508);
        assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("loop_detected");
        assertThat(oa.requests()).hasSize(before);
        HttpResponse<String> passed = http.send(java.net.http.HttpRequest.newBuilder(front.httpUri()
                .resolve("/v1/chat/completions")).header("content-type", "application/json")
                .header("x-strata-hops", "3").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(passed.statusCode()).isEqualTo(200);
        assertThat(oa.hopHeaders().getLast()).isEqualTo("4");
    }

    @Test
    void metricsSayWhichRouteTierAndTargetAnswered() throws Exception {
        chat("fast", "hi", "");
        small.then(FakeUpstream.answer("unsure", -3.0));
        assertThat(route(chat("cascade", "hi", ""))).contains("tier=2/2");
        String scrape = http.get("/metrics").body();
        assertThat(scrape).containsPattern("strata_route_requests_total\\{[^}]*outcome=\"ok\",route=\"chat\","
                + "target=\"oa\",tier=\"primary\"\\} [1-9]");
        assertThat(scrape).containsPattern("strata_route_requests_total\\{[^}]*outcome=\"ok\",route=\"cascade\","
                + "target=\"big\",tier=\"2/2\"\\} [1-9]");
    }

    @Test
    void aHangingUpstreamIsHedgedToTheNextTargetWholeAndStreamed() throws Exception {
        HttpResponse<String> r = chat("hedged", "hi", "");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(content(r)).isEqualTo("from oa");
        assertThat(route(r)).startsWith("route=hedged; hedged=true; target=oa");
        HttpResponse<String> s = chat("hedged", "hi", ",\"stream\":true");
        assertThat(streamed(s)).isEqualTo("from oa");
        assertThat(route(s)).contains("hedged=true").contains("target=oa");
        assertThat(s.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void aClassifierRuleAsksASmallModelForALabelAndRoutesOnIt() throws Exception {
        String triage = ",\"metadata\":{\"task\":\"triage\"}";
        int before = labeler.requests().size();
        assertThat(route(chat("any", "my loop never ends", triage))).startsWith("route=claude");
        JsonNode asked = labeler.requests().getLast();
        assertThat(asked.path("model").asText()).isEqualTo("tiny-classifier");
        assertThat(asked.path("temperature").asDouble()).isZero();
        assertThat(asked.path("messages").path(0).path("content").asText()).contains("code").contains("chat");
        assertThat(asked.path("messages").path(1).path("content").asText()).contains("my loop never ends");
        labeler.then(FakeUpstream.answer("chat"));
        assertThat(route(chat("any", "how are you", triage))).startsWith("route=chat");
        assertThat(route(chat("any", "my loop never ends", triage))).startsWith("route=claude"); // cached
        assertThat(labeler.requests()).hasSize(before + 2);
        labeler.then(FakeUpstream.answer("poetry"));
        assertThat(route(chat("gpt-unknown", "write a poem", triage))).startsWith("route=chat"); // no label: default
    }

    @Test
    void unknownModelTakesDefaultRouteAndLocalModelStaysLocal() throws Exception {
        assertThat(route(chat("gpt-unknown", "hi", ""))).startsWith("route=chat");
        HttpResponse<String> local = chat("local", "hi", ",\"max_tokens\":3");
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(local.headers().firstValue("x-strata-route")).isEmpty();
        assertThat(JSON.readTree(local.body()).path("model").asText()).isEqualTo("local");
    }

    @Test
    void tagRuleSendsToAnthropicTranslatedBothWays() throws Exception {
        HttpResponse<String> r = chat("local", "summarize this", ",\"metadata\":{\"task\":\"summarize\"},"
                + "\"stop\":\"END\",\"max_tokens\":50");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(route(r)).startsWith("route=claude; target=claude");
        JsonNode body = JSON.readTree(r.body());
        assertThat(content(r)).isEqualTo("from claude");
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(5);
        JsonNode sent = claude.requests().getLast();
        assertThat(sent.path("system").asText()).isEqualTo("be brief");
        assertThat(sent.path("model").asText()).isEqualTo("claude-x");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(50);
        assertThat(sent.path("stop_sequences").get(0).asText()).isEqualTo("END");
        assertThat(sent.path("messages").size()).isEqualTo(1);

        HttpResponse<String> s = chat("x", "summarize", ",\"metadata\":{\"task\":\"summarize\"},\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}");
        assertThat(streamed(s)).isEqualTo("from claude");
        assertThat(s.body()).contains("\"finish_reason\":\"stop\"").contains("\"total_tokens\"")
                .endsWith("data: [DONE]\n\n");
    }

    @Test
    void keywordRuleReachesASecondStrataServingTheDemoModel() throws Exception {
        HttpResponse<String> r = chat("stories260K", "Once upon a time", ",\"max_tokens\":8,\"temperature\":0");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(route(r)).startsWith("route=story; target=strata2");
        assertThat(content(r)).isNotEmpty();
        HttpResponse<String> s = chat("stories260K", "Once upon a time", ",\"max_tokens\":8,\"temperature\":0,"
                + "\"stream\":true");
        assertThat(streamed(s)).isEqualTo(content(r));
        assertThat(s.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void fallsBackOn500And429AndTimeout() throws Exception {
        flaky.then(new FakeUpstream.Act.Status(500, null));
        HttpResponse<String> r = chat("resilient", "hi", "");
        assertThat(content(r)).isEqualTo("from oa");
        assertThat(route(r)).contains("target=oa").contains("trail=flaky:server_error,oa:ok");

        flaky.then(new FakeUpstream.Act.Hang());
        r = chat("resilient", "hi", "");
        assertThat(content(r)).isEqualTo("from oa");
        assertThat(route(r)).contains("trail=flaky:timeout,oa:ok");

        flaky.then(new FakeUpstream.Act.Status(429, "1"));
        r = chat("resilient", "hi", "");
        assertThat(route(r)).contains("trail=flaky:rate_limited,oa:ok");
        // Retry-After: flaky is cooling down, so the next call goes straight to oa
        r = chat("resilient", "hi", "");
        assertThat(route(r)).contains("trail=flaky:cooling_down,oa:ok");
    }

    @Test
    void neverRetriesAfterTheFirstStreamedByte() throws Exception {
        int before = oa.requests().size();
        HttpResponse<String> r = chat("dropping", "hi", ",\"stream\":true");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(streamed(r)).isEqualTo("never finished <error>");
        assertThat(r.body()).doesNotContain("data: [DONE]");
        assertThat(oa.requests()).hasSize(before);
    }

    @Test
    void theLocalEngineIsABackendToo() throws Exception {
        HttpResponse<String> r = chat("onlocal", "hi", ",\"max_tokens\":3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(route(r)).startsWith("route=onlocal; target=mine");
        assertThat(JSON.readTree(r.body()).path("model").asText()).isEqualTo("local");
        HttpResponse<String> s = chat("onlocal", "hi", ",\"max_tokens\":3,\"stream\":true");
        // the test engine samples random bytes, so the text (and even its length, once bytes merge into
        // one character or become U+FFFD) is arbitrary: count tokens instead
        assertThat(JSON.readTree(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.body()).contains("\"chat.completion.chunk\"");
        assertThat(s.body()).endsWith("data: [DONE]\n\n");
        HttpResponse<String> escalated = chat("localfirst", "hi", ",\"max_tokens\":3");
        assertThat(content(escalated)).isEqualTo("big says hello");
        assertThat(route(escalated)).startsWith("route=localfirst; tier=2/2; escalated=too_short");
    }

    @Test
    void cascadeAfterFullAnswerEscalatesOnLowConfidence() throws Exception {
        HttpResponse<String> r = chat("cascade", "hi", "");
        assertThat(content(r)).isEqualTo("small says hi");
        assertThat(route(r)).startsWith("route=cascade; tier=1/2");
        assertThat(JSON.readTree(r.body()).path("choices").path(0).path("logprobs").isNull()).isTrue();
        assertThat(small.requests().getLast().path("logprobs").asBoolean()).isTrue();

        small.then(FakeUpstream.answer("small is unsure", -3.0));
        r = chat("cascade", "hi", "");
        assertThat(content(r)).isEqualTo("big says hello");
        assertThat(route(r)).startsWith("route=cascade; tier=2/2; escalated=mean_logprob");

        small.then(FakeUpstream.answer("small is unsure", -3.0));
        HttpResponse<String> s = chat("cascade", "hi", ",\"stream\":true");
        assertThat(streamed(s)).isEqualTo("big says hello");
        assertThat(route(s)).contains("tier=2/2");
    }

    @Test
    void earlyCascadeDecidesFromFirstTokensBeforeStreaming() throws Exception {
        HttpResponse<String> r = chat("early", "hi", ",\"stream\":true");
        assertThat(streamed(r)).isEqualTo("small says hi");
        assertThat(route(r)).contains("tier=1/2");

        small.then(FakeUpstream.answer("small is quite unsure here", -4.0));
        r = chat("early", "hi", ",\"stream\":true");
        assertThat(streamed(r)).isEqualTo("big says hello"); // nothing of the small tier leaked
        assertThat(route(r)).contains("tier=2/2; escalated=mean_logprob");
        assertThat(r.body()).doesNotContain("\"logprob\"");
    }

    @Test
    void validatorFailureEscalates() throws Exception {
        small.then(FakeUpstream.answer("not json at all"));
        big.then(FakeUpstream.answer("{\"answer\": 42}"));
        HttpResponse<String> r = chat("whatever", "Answer in JSON please", "");
        assertThat(content(r)).isEqualTo("{\"answer\": 42}");
        assertThat(route(r)).startsWith("route=json; tier=2/2; escalated=json_schema");

        small.then(FakeUpstream.answer("{\"answer\": 1}"));
        r = chat("whatever", "Answer in JSON please", "");
        assertThat(route(r)).startsWith("route=json; tier=1/2");
    }

    @Test
    void canaryIsStickyPerUserAndRollsBackAndPromotesAtOnce() throws Exception {
        Map<String, String> first = new HashMap<>();
        for (int u = 0; u < 20; u++) {
            first.put("u" + u, content(chat("ab", "hi", ",\"user\":\"u" + u + "\"")));
        }
        assertThat(first.values()).contains("from oa", "from candidate");
        for (int u = 0; u < 20; u++) {
            assertThat(content(chat("ab", "hi", ",\"user\":\"u" + u + "\""))).isEqualTo(first.get("u" + u));
        }
        assertThat(http.post("/admin/routes/ab/rollback", "").statusCode()).isEqualTo(200);
        for (int u = 0; u < 20; u++) {
            assertThat(content(chat("ab", "hi", ",\"user\":\"u" + u + "\""))).isEqualTo("from oa");
        }
        assertThat(http.post("/admin/routes/ab/promote", "").statusCode()).isEqualTo(200);
        HttpResponse<String> r = chat("ab", "hi", ",\"user\":\"u1\"");
        assertThat(content(r)).isEqualTo("from candidate");
        assertThat(route(r)).contains("canary=cand");
        assertThat(http.post("/admin/routes/ab/canary", "{\"weight_percent\":50}").body()).contains("50");
        for (int u = 0; u < 20; u++) {
            assertThat(content(chat("ab", "hi", ",\"user\":\"u" + u + "\""))).isEqualTo(first.get("u" + u));
        }
        assertThat(http.post("/admin/routes/chat/promote", "").statusCode()).isEqualTo(404);
    }

    @Test
    void shadowFailuresAndHangsNeverTouchTheLiveResponse() throws Exception {
        shadowy.then(new FakeUpstream.Act.Status(500, null), new FakeUpstream.Act.Hang());
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat("mirrored", "hi", "");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(content(r)).isEqualTo("from oa");
        }
        JsonNode stats = null;
        for (int i = 0; i < 200; i++) { // bounded: the mirrors finish within the 300 ms shadow timeout
            HttpResponse<String> s = http.get("/admin/shadow/mirrored");
            stats = JSON.readTree(s.body());
            if (s.statusCode() == 200 && stats.path("mirrored").asInt() == 3) {
                break;
            }
            Thread.sleep(10);
        }
        assertThat(stats.path("mirrored").asInt()).isEqualTo(3);
        assertThat(stats.path("failed").asInt()).isEqualTo(2);
        assertThat(stats.path("meanSimilarity").asDouble()).isEqualTo(1.0);
        assertThat(stats.path("target").asText()).isEqualTo("shadowy");
    }

    @Test
    void editingTheConfigFileReloadsIt() throws Exception {
        try {
            Files.writeString(configFile, config("story"));
            String route = "";
            for (int i = 0; i < 200 && !route.startsWith("route=story"); i++) { // bounded: inotify is prompt
                Thread.sleep(25);
                route = route(chat("fast", "hi", ",\"max_tokens\":2"));
            }
            assertThat(route).startsWith("route=story");
        } finally {
            Files.writeString(configFile, config("chat"));
            http.post("/admin/reload", "");
        }
    }

    @Test
    void reloadSwapsRoutesWithoutRestartAndRefusesABadConfig() throws Exception {
        try {
            Files.writeString(configFile, config("claude"));
            assertThat(http.post("/admin/reload", "").statusCode()).isEqualTo(200);
            assertThat(route(chat("fast", "hi", ""))).startsWith("route=claude");
            Files.writeString(configFile, config("nope"));
            HttpResponse<String> bad = http.post("/admin/reload", "");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("gateway.aliases.fast");
            assertThat(route(chat("fast", "hi", ""))).startsWith("route=claude");
        } finally {
            Files.writeString(configFile, config("chat"));
            http.post("/admin/reload", "");
        }
        assertThat(JSON.readTree(http.get("/admin/routes").body()).path("routes").has("cascade")).isTrue();
    }
}
