package dev.strata.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.Caller;
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
    private CallRecord record;

    Exchange(Request request, Response response, ObjectMapper json, long maxBodyBytes, String pathParameter) {
        this.request = request;
        this.response = response;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.pathParameter = pathParameter;
    }

    /** The request's audit record (set by the edge after authentication), or an unaudited anonymous one. */
    CallRecord record() {
        return record != null ? record : CallRecord.unaudited(Caller.ANONYMOUS);
    }

    /** The audit record if one was opened, else null (requests outside /v1 are not audited). */
    CallRecord openRecord() {
        return record;
    }

    void record(CallRecord callRecord) {
        this.record = callRecord;
    }

    /** A request header's value, or null. */
    String requestHeader(String name) {
        return request.getHeaders().get(name);
    }

    String method() {
        return request.getMethod();
    }

    String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** The first value of a query parameter, or null. */
    String query(String name) {
        return Request.extractQueryParameters(request).getValue(name);
    }

    /** A non-JSON body (e.g. JSON Lines). */
    void sendText(int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
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
