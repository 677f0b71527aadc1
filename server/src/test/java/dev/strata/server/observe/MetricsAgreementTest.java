package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.ObserveConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The done-check: what clients were told (usage in every response, the cost header) and
 * what {@code /metrics} and {@code /v1/usage} report for the same run agree — exactly, as both
 * count the same tokens.
 */
class MetricsAgreementTest {
    private static final int WHOLE = 6;
    private static final int STREAMED = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObservedServer server;
    private static long promptTokens;
    private static long completionTokens;
    private static long interTokenGaps;
    private static double costFromHeaders;

    @BeforeAll
    static void run() throws Exception {
        server = ObservedServer.start(ObserveConfig.DEFAULTS);
        for (int i = 0; i < WHOLE; i++) {
            HttpResponse<String> r = server.http.send(java.net.http.HttpRequest.newBuilder(
                    server.gateway.httpUri().resolve("/v1/completions"))
                    .header("Content-Type", "application/json").header("x-strata-tenant", "acme")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260K\","
                            + "\"prompt\":\"Once upon a time " + i + "\",\"max_tokens\":" + (4 + i)
                            + ",\"temperature\":0}")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode usage = JSON.readTree(r.body()).get("usage");
            count(usage);
            costFromHeaders += Double.parseDouble(r.headers().firstValue("x-strata-cost-usd").orElseThrow());
        }
        for (int i = 0; i < STREAMED; i++) {
            HttpResponse<String> r = server.http.send(java.net.http.HttpRequest.newBuilder(
                    server.gateway.httpUri().resolve("/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("x-strata-tenant", "acme")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260K\","
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story " + i + "\"}],"
                            + "\"max_tokens\":" + (3 + i) + ",\"stream\":true,"
                            + "\"stream_options\":{\"include_usage\":true}}")).build());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode usage = null;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("data: {")) {
                    JsonNode event = JSON.readTree(line.substring(6));
                    if (event.hasNonNull("usage")) {
                        usage = event.get("usage");
                    }
                }
            }
            assertThat(usage).as("usage chunk").isNotNull();
            count(usage);
        }
    }

    private static void count(JsonNode usage) {
        long completion = usage.get("completion_tokens").asLong();
        promptTokens += usage.get("prompt_tokens").asLong();
        completionTokens += completion;
        interTokenGaps += Math.max(0, completion - 1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void vllmCountersAgreeWithResponses() throws Exception {
        Scrape s = server.scrape();
        String[] model = {"model_name", ObservedServer.MODEL};
        assertThat(s.sum("vllm:prompt_tokens_total", model)).isEqualTo(promptTokens);
        assertThat(s.sum("vllm:generation_tokens_total", model)).isEqualTo(completionTokens);
        assertThat(s.sum("vllm:request_success_total", model)).isEqualTo(WHOLE + STREAMED);
        assertThat(s.sum("vllm:time_to_first_token_seconds_count", model)).isEqualTo(WHOLE + STREAMED);
        assertThat(s.sum("vllm:e2e_request_latency_seconds_count", model)).isEqualTo(WHOLE + STREAMED);
        assertThat(s.sum("vllm:request_queue_time_seconds_count", model)).isEqualTo(WHOLE + STREAMED);
        assertThat(s.sum("vllm:inter_token_latency_seconds_count", model)).isEqualTo(interTokenGaps);
        assertThat(s.sum("vllm:iteration_tokens_total_count", model)).isPositive();
        assertThat(s.sum("vllm:num_requests_running", model)).isZero();
        assertThat(s.sum("vllm:num_requests_waiting", model)).isZero();
        assertThat(s.sum("vllm:kv_cache_usage_perc", model)).isBetween(0.0, 1.0);
        assertThat(s.sum("vllm:num_preemptions_total", model)).isZero();
    }

    @Test
    void gatewayCountersAgreeWithResponses() throws Exception {
        Scrape s = server.scrape();
        assertThat(s.sum("strata_requests_total", "route", "/v1/completions", "status", "200", "tenant", "acme"))
                .isEqualTo(WHOLE);
        assertThat(s.sum("strata_requests_total", "route", "/v1/chat/completions", "status", "200", "tenant",
                "acme")).isEqualTo(STREAMED);
        assertThat(s.sum("strata_tokens_total", "tenant", "acme", "type", "prompt")).isEqualTo(promptTokens);
        assertThat(s.sum("strata_tokens_total", "tenant", "acme", "type", "completion")).isEqualTo(completionTokens);
        double expectedCost = ObservedServer.PRICE.costUsd(promptTokens, completionTokens);
        assertThat(s.sum("strata_cost_usd_total", "tenant", "acme", "model", ObservedServer.MODEL))
                .isCloseTo(expectedCost, within(1e-12));
        assertThat(s.sum("strata_model_state", "model", ObservedServer.MODEL, "state", "ready")).isEqualTo(1);
        assertThat(s.sum("strata_model_load_seconds", "model", ObservedServer.MODEL)).isPositive();
    }

    @Test
    void costHeadersAddUpToTheWholeResponsesCost() throws Exception {
        assertThat(costFromHeaders).isPositive();
        JsonNode usage = JSON.readTree(server.http.get("/v1/usage?tenant=acme").body());
        JsonNode row = usage.get("data").get(0);
        assertThat(usage.get("data")).hasSize(1);
        assertThat(row.get("date").asText()).isEqualTo(ObservedServer.DAY);
        assertThat(row.get("model").asText()).isEqualTo(ObservedServer.MODEL);
        assertThat(row.get("requests").asLong()).isEqualTo(WHOLE + STREAMED);
        assertThat(row.get("prompt_tokens").asLong()).isEqualTo(promptTokens);
        assertThat(row.get("completion_tokens").asLong()).isEqualTo(completionTokens);
        assertThat(row.get("cost_usd").asDouble()).isGreaterThan(costFromHeaders)
                .isCloseTo(ObservedServer.PRICE.costUsd(promptTokens, completionTokens), within(1e-12));
    }

    @Test
    void usageOfAnotherTenantOrDayIsEmpty() throws Exception {
        assertThat(JSON.readTree(server.http.get("/v1/usage?tenant=other").body()).get("data")).isEmpty();
        assertThat(JSON.readTree(server.http.get("/v1/usage?from=2026-11-24&to=2026-11-30").body()).get("data"))
                .isEmpty();
        HttpResponse<String> bad = server.http.get("/v1/usage?from=yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_value");
    }
}
