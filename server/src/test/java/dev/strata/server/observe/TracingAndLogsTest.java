package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.config.ObserveConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One request's span tree (continuing the caller's trace) and its JSON log line, prompt left out. */
class TracingAndLogsTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_SPAN = "b7ad6b7169203331";
    private static final String SECRET_PROMPT = "the launch code is swordfish";

    private static ObservedServer server;
    private static HttpResponse<String> response;
    private static JsonNode body;

    @BeforeAll
    static void run() throws Exception {
        server = ObservedServer.start(ObserveConfig.DEFAULTS);
        response = server.http.send(HttpRequest.newBuilder(server.gateway.httpUri().resolve("/v1/completions"))
                .header("Content-Type", "application/json").header("x-strata-tenant", "acme")
                .header("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260K\",\"prompt\":\"" + SECRET_PROMPT
                        + "\",\"max_tokens\":5,\"temperature\":0}")).build());
        assertThat(response.statusCode()).isEqualTo(200);
        body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void requestSpanContinuesTheCallersTraceAndParentsEveryStage() {
        List<SpanData> spans = server.spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(TRACE_ID)).toList();
        SpanData root = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(root.getName()).isEqualTo("POST /v1/completions");
        assertThat(root.getParentSpanId()).isEqualTo(PARENT_SPAN);
        assertThat(root.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200);
        assertThat(root.getAttributes().get(AttributeKey.stringKey("strata.tenant"))).isEqualTo("acme");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
                .isEqualTo(ObservedServer.MODEL);
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
                .isEqualTo(body.get("usage").get("completion_tokens").asLong());

        Map<String, SpanData> children = spans.stream().filter(s -> s != root)
                .collect(Collectors.toMap(SpanData::getName, Function.identity()));
        assertThat(children.keySet()).containsExactlyInAnyOrder("strata.parse", "strata.admission", "strata.queue",
                "strata.prefill", "strata.decode");
        assertThat(children.values()).allSatisfy(child -> {
            assertThat(child.getParentSpanId()).isEqualTo(root.getSpanId());
            assertThat(child.getStartEpochNanos()).isGreaterThanOrEqualTo(root.getStartEpochNanos());
            assertThat(child.getEndEpochNanos()).isLessThanOrEqualTo(root.getEndEpochNanos());
        });
        assertThat(children.get("strata.admission").getAttributes().get(AttributeKey.stringKey("strata.route.model")))
                .isEqualTo(ObservedServer.MODEL);
        assertThat(children.get("strata.prefill").getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
                .isEqualTo(body.get("usage").get("prompt_tokens").asLong());
        assertThat(children.get("strata.decode").getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
                .isEqualTo(body.get("usage").get("completion_tokens").asLong());
        assertThat(children.get("strata.prefill").getStartEpochNanos())
                .isGreaterThanOrEqualTo(children.get("strata.queue").getStartEpochNanos());
        assertThat(children.get("strata.decode").getStartEpochNanos())
                .isGreaterThanOrEqualTo(children.get("strata.prefill").getStartEpochNanos());
        assertThat(response.headers().firstValue("x-strata-trace-id")).hasValue(TRACE_ID);
    }

    @Test
    void oneJsonLineForTheRequestWithoutThePrompt() throws Exception {
        List<JsonNode> requests = server.logLines().stream()
                .filter(l -> l.get("event").asText().equals("request") && l.path("route").asText()
                        .equals("/v1/completions") && l.path("status").asInt() == 200).toList();
        assertThat(requests).hasSize(1);
        JsonNode line = requests.getFirst();
        assertThat(line.get("level").asText()).isEqualTo("info");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("tenant").asText()).isEqualTo("acme");
        assertThat(line.get("model").asText()).isEqualTo(ObservedServer.MODEL);
        assertThat(line.get("request_id").asText()).isEqualTo(body.get("id").asText());
        assertThat(line.get("completion_tokens").asLong()).isEqualTo(body.get("usage").get("completion_tokens").asLong());
        assertThat(line.get("trace_id").asText()).isEqualTo(TRACE_ID);
        assertThat(line.get("cost_usd").asDouble()).isPositive();
        assertThat(line.has("prompt")).isFalse();
        assertThat(server.logText()).doesNotContain("swordfish");
        assertThat(server.logLines()).extracting(l -> l.get("event").asText())
                .contains("server_started", "model_ready");
    }

    @Test
    void probesAndScrapesAreNeitherTracedNorLoggedAtInfo() throws Exception {
        server.http.get("/health/live");
        server.http.get("/metrics");
        assertThat(server.logLines()).noneSatisfy(l -> assertThat(l.path("route").asText())
                .isIn("/health/live", "/metrics"));
        assertThat(server.spans.getFinishedSpanItems()).noneSatisfy(s -> assertThat(s.getName())
                .contains("/health/live"));
        assertThat(server.scrape().sum("strata_requests_total", "route", "/health/live")).isPositive();
    }

    @Test
    void promptsAreLoggedOnlyWhenConfigured() throws Exception {
        try (ObservedServer verbose = ObservedServer.start(new ObserveConfig("info", true))) {
            verbose.post("/v1/completions", "{\"model\":\"stories260K\",\"prompt\":\"" + SECRET_PROMPT
                    + "\",\"max_tokens\":1}");
            assertThat(verbose.logText()).contains("swordfish");
        }
    }

    @Test
    void errorsAreCountedAndLoggedAsWarnings() throws Exception {
        HttpResponse<String> missing = server.http.post("/v1/completions", "{\"model\":\"nope\",\"prompt\":\"x\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(server.scrape().sum("strata_requests_total", "route", "/v1/completions", "status", "404"))
                .isEqualTo(1);
        assertThat(server.logLines()).anySatisfy(l -> {
            assertThat(l.path("status").asInt()).isEqualTo(404);
            assertThat(l.get("level").asText()).isEqualTo("warn");
        });
    }
}
