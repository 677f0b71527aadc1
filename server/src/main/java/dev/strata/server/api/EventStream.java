package dev.strata.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;

/**
 * Server-sent events as OpenAI writes them: each event is one {@code data: <json>\n\n} block, flushed
 * to the network at once (https://html.spec.whatwg.org/multipage/server-sent-events.html). A write to
 * a client that has gone throws {@link IOException}, which is how a disconnect is noticed between
 * tokens.
 */
final class EventStream {
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Content.Sink sink;
    private final ObjectMapper json;
    private boolean ended;

    EventStream(Content.Sink sink, ObjectMapper json) {
        this.sink = sink;
        this.json = json;
    }

    boolean ended() {
        return ended;
    }

    void send(Object event) throws IOException {
        byte[] payload = json.writeValueAsBytes(event);
        ByteBuffer buffer = ByteBuffer.allocate(PREFIX.length + payload.length + SUFFIX.length);
        buffer.put(PREFIX).put(payload).put(SUFFIX).flip();
        Content.Sink.write(sink, false, buffer);
    }

    /** Writes OpenAI's {@code data: [DONE]} terminator and ends the response. */
    void done() throws IOException {
        ended = true;
        Content.Sink.write(sink, true, ByteBuffer.wrap(DONE));
    }

    /** Ends the response without a terminator (the native endpoint's last event is {@code done}). */
    void end() throws IOException {
        ended = true;
        Content.Sink.write(sink, true, ByteBuffer.allocate(0));
    }
}
