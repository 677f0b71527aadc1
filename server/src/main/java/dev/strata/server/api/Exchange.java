package dev.strata.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One HTTP request and its response, as endpoints see them: a size-limited JSON body, a JSON reply
 * or an event stream, and a hook for the client going away. Wraps Jetty's core request/response;
 * all calls block (they run on virtual threads).
 */
final class Exchange {
    private final Request request;
    private final Response response;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final String pathParameter;
    private EventStream events;
    private long bodyReadNanos;

    Exchange(Request request, Response response, ObjectMapper json, long maxBodyBytes, String pathParameter) {
        this.request = request;
        this.response = response;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.pathParameter = pathParameter;
    }

    /** The part of the path a route captured (the model id of {@code /v1/models/{id}}), or null. */
    String pathParameter() {
        return pathParameter;
    }

    /** {@link System#nanoTime()} when the request's headers had been read. */
    long receivedNanos() {
        return request.getHeadersNanoTime();
    }

    /** The body parsed as JSON; 413 beyond the size limit, 400 when it is not JSON. */
    JsonNode readJson() throws IOException {
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
            throw new GatewayException.PayloadTooLarge(maxBodyBytes);
        }
        byte[] body;
        long readStart = System.nanoTime();
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        }
        bodyReadNanos = System.nanoTime() - readStart;
        if (body.length > maxBodyBytes) {
            throw new GatewayException.PayloadTooLarge(maxBodyBytes);
        }
        if (body.length == 0) {
            throw new GatewayException.InvalidRequest("The request body is empty; expected a JSON object.", null,
                    null);
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw new GatewayException.InvalidRequest("We could not parse the JSON body of your request: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"), null, "invalid_json");
        }
    }

    /** Time spent reading the body, mostly waiting for the client to send it. */
    long bodyReadNanos() {
        return bodyReadNanos;
    }

    /** Calls {@code action} (once, on some Jetty thread) when the connection fails or closes early. */
    void onClientGone(Runnable action) {
        request.addFailureListener(failure -> action.run());
    }

    void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    boolean committed() {
        return response.isCommitted();
    }

    void sendJson(int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
    }

    /** Starts a {@code text/event-stream} response; each event is flushed as it is sent. */
    EventStream startEvents() {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        events = new EventStream(response, json);
        return events;
    }

    /** The event stream, if this exchange started one (errors after that are sent as events). */
    EventStream events() {
        return events;
    }
}
