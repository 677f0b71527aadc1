package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.Http;
import dev.strata.server.testengine.SseClient;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Disconnects cancel in the engine; overload is 429; shutdown drains open streams. */
class StreamingBehaviourTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG_STREAM = """
            {"model":"m","messages":[{"role":"user","content":"go"}],"max_tokens":3000,"ignore_eos":true,
             "temperature":0,"stream":true}""";

    @Test
    void clientDisconnectCancelsTheGenerationWithinOneStep() throws Exception {
        TestEngine engine = new TestEngine("m", 4096, TimeUnit.MILLISECONDS.toNanos(2));
        try (TestGateway server = TestGateway.serving("m", engine, Limits.DEFAULTS)) {
            String requestId;
            try (SseClient client = new SseClient(server.port(), "/v1/chat/completions", LONG_STREAM)) {
                assertThat(client.status()).isEqualTo(200);
                requestId = JSON.readTree(client.nextData()).get("id").asText() + "-0";
                client.nextData();
            }
            assertThat(engine.awaitFinished(requestId, 10, TimeUnit.SECONDS)).as("engine stopped").isTrue();
            assertThat(engine.stepsAfterCancel(requestId)).as("steps after cancel").isNotNull().isLessThanOrEqualTo(1);
            assertThat(engine.producedAtCancel(requestId)).as("cancelled early, not at the end").isLessThan(1000);
            assertThat(server.gateway().inference()).isNotNull();
        }
    }

    @Test
    void overloadIs429WithRetryAfter() throws Exception {
        TestEngine engine = new TestEngine("m", 4096, TimeUnit.MILLISECONDS.toNanos(2));
        try (TestGateway server = TestGateway.serving("m", engine, new Limits(1 << 20, 1, 4, 3))) {
            Http http = new Http(server.uri());
            try (SseClient busy = new SseClient(server.port(), "/v1/chat/completions", LONG_STREAM)) {
                busy.nextData();
                HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"a\"}");
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.headers().firstValue("retry-after")).contains("3");
                assertThat(JSON.readTree(r.body()).get("error").get("type").asText()).isEqualTo("rate_limit_error");
            }
        }
    }

    @Test
    void shutdownDrainsInFlightStreams() throws Exception {
        TestEngine engine = new TestEngine("m", 4096, TimeUnit.MILLISECONDS.toNanos(1));
        TestGateway server = TestGateway.serving("m", engine, Limits.DEFAULTS);
        try (SseClient client = new SseClient(server.port(), "/v1/chat/completions", """
                {"model":"m","messages":[{"role":"user","content":"go"}],"max_tokens":200,"ignore_eos":true,
                 "temperature":0,"stream":true}""")) {
            client.nextData();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
            String last = null;
            int chunks = 0;
            for (String data = client.nextData(); data != null; data = client.nextData()) {
                last = data;
                chunks++;
                if (data.equals("[DONE]")) {
                    break;
                }
            }
            assertThat(last).isEqualTo("[DONE]");
            assertThat(chunks).isGreaterThan(100);
            stopping.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void severalChoicesStreamInterleaved() throws Exception {
        try (TestGateway server = TestGateway.serving("m", new TestEngine("m", 512, 0), Limits.DEFAULTS)) {
            HttpResponse<String> r = new Http(server.uri()).post("/v1/chat/completions", """
                    {"model":"m","messages":[{"role":"user","content":"go"}],"max_tokens":6,"n":3,"seed":1,
                     "stream":true}""");
            StringBuilder[] texts = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
            int finished = 0;
            for (String line : r.body().split("\n\n")) {
                String data = line.substring("data: ".length());
                if (data.equals("[DONE]")) {
                    continue;
                }
                JsonNode choice = JSON.readTree(data).get("choices").get(0);
                JsonNode content = choice.get("delta").get("content");
                if (content != null) {
                    texts[choice.get("index").asInt()].append(content.asText());
                }
                finished += choice.get("finish_reason").isNull() ? 0 : 1;
            }
            assertThat(finished).isEqualTo(3);
            assertThat(texts[0].toString()).isNotEqualTo(texts[1].toString());
        }
    }
}
