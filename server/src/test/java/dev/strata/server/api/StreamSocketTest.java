package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.TestEngine;
import dev.strata.server.testengine.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/stream}: requests in, events out as frames, cancel by message. */
class StreamSocketTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** Collects every text frame into a queue. */
    private static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    queue.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode n = queue.poll(30, TimeUnit.SECONDS);
            assertThat(n).as("a frame within 30 s").isNotNull();
            return n;
        }
    }

    private static WebSocket connect(Frames frames) {
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/stream");
        return http.newWebSocketBuilder().buildAsync(uri, frames).join();
    }

    @Test
    void streamsTokensThenDoneAndServesTheNextRequest() throws Exception {
        Frames frames = new Frames();
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
        Frames frames = new Frames();
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
        Frames frames = new Frames();
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
