package dev.strata.server.api;

import dev.strata.server.testservices.JsonFrames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/stream}: requests in, events out as frames, cancel by message. */
class StreamSocketTest {
    private static TestEngine engine;
    private static TestGateway server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        engine = new TestEngine("m", 4096, TimeUnit.MILLISECONDS.toNanos(1));
        server = TestGateway.serving("m", engine, Limits.DEFAULTS);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        http.close();
        server.close();
    }

    private static WebSocket connect(JsonFrames frames) {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/stream");
        return http.newWebSocketBuilder().buildAsync(uri, frames).join();
    }

    @Test
    void streamsTokensThenDoneAndServesTheNextRequest() throws Exception {
        JsonFrames frames = new JsonFrames();
        WebSocket ws = connect(frames);
        for (int round = 0; round < 2; round++) {
            ws.sendText("{\"model\":\"m\",\"prompt\":\"hello\",\"max_tokens\":5,\"ignore_eos\":true,\"temperature\":0}",
                    true).join();
            for (int i = 0; i < 5; i++) {
                assertThat(frames.next().get("type").asText()).isEqualTo("token");
            }
            JsonNode done = frames.next();
            assertThat(done.get("type").asText()).isEqualTo("done");
            assertThat(done.get("finish_reason").asText()).isEqualTo("length");
            assertThat(done.get("usage").get("output_tokens").asInt()).isEqualTo(5);
        }
        ws.sendText("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,"
                + "\"ignore_eos\":true}", true).join();
        frames.next();
        frames.next();
        assertThat(frames.next().get("type").asText()).isEqualTo("done");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void cancelMessageStopsTheGeneration() throws Exception {
        JsonFrames frames = new JsonFrames();
        WebSocket ws = connect(frames);
        ws.sendText("{\"model\":\"m\",\"prompt\":\"go\",\"max_tokens\":3000,\"ignore_eos\":true,\"temperature\":0}",
                true).join();
        assertThat(frames.next().get("type").asText()).isEqualTo("token");
        ws.sendText("{\"type\":\"cancel\"}", true).join();
        JsonNode last;
        do {
            last = frames.next();
        } while (last.get("type").asText().equals("token"));
        assertThat(last.get("type").asText()).isEqualTo("done");
        assertThat(last.get("finish_reason").asText()).isEqualTo("cancelled");
        assertThat(last.get("usage").get("output_tokens").asInt()).isLessThan(3000);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void badMessagesGetErrorFrames() throws Exception {
        JsonFrames frames = new JsonFrames();
        WebSocket ws = connect(frames);
        ws.sendText("{nope", true).join();
        JsonNode error = frames.next();
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").get("code").asText()).isEqualTo("invalid_json");
        ws.sendText("{\"model\":\"m\",\"prompt\":\"x\",\"temperature\":-1}", true).join();
        assertThat(frames.next().get("error").get("param").asText()).isEqualTo("temperature");
        ws.sendText("{\"model\":\"zzz\",\"prompt\":\"x\"}", true).join();
        assertThat(frames.next().get("error").get("code").asText()).isEqualTo("model_not_found");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
}
