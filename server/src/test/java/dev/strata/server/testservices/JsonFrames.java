package dev.strata.server.testservices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client listener for tests: every text message, reassembled and parsed as JSON, into a queue. */
public final class JsonFrames implements WebSocket.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
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

    /** The next message, waiting at most 30 s (failing the test if none comes). */
    public JsonNode next() throws InterruptedException {
        JsonNode n = queue.poll(30, TimeUnit.SECONDS);
        assertThat(n).as("a frame within 30 s").isNotNull();
        return n;
    }
}
