package dev.strata.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.GatewayException;
import dev.strata.server.audit.Auditor;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.Caller;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.inference.ObservedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One WebSocket connection on {@code /v1/stream}. Each text message is either a request — the JSON
 * of {@code /v1/generate} ({@code prompt}) or of {@code /v1/chat/completions} ({@code messages}) —
 * or {@code {"type":"cancel"}}. A request is answered with frames {@code {"type":"token","token":…}}
 * … {@code {"type":"done","finish_reason":…,"usage":{…}}}, or {@code {"type":"error","error":{…}}};
 * one generation runs at a time per connection, and closing the connection cancels it. Frames are
 * sent blocking from the generation's virtual thread, so a slow client slows only its own stream.
 * Each request is admitted as the connection's caller (authenticated at the upgrade) and gets its
 * own audit record, stored before its {@code done} or {@code error} frame is sent.
 * (Public only because Jetty binds listener methods reflectively.)
 */
public final class StreamSocket implements Session.Listener.AutoDemanding {
    /** The audit log's endpoint for requests on this socket. */
    static final String ENDPOINT = "WS /v1/stream";

    private final CallParser parser;
    private final InferenceService inference;
    private final RequestIds ids;
    private final ObjectMapper json;
    private final ErrorMapper errors;
    private final ThreadFactory threads;
    private final String defaultModel;
    private final Caller caller;
    private final Auditor auditor;
    private final Map<String, String> upgradeHeaders;
    private volatile Session session;
    private volatile Generation running;
    private volatile boolean closed;

    /** @param upgradeHeaders the upgrade request's trace and tenant headers ({@link #traceHeaders}) */
    StreamSocket(CallParser parser, InferenceService inference, RequestIds ids, ObjectMapper json, ErrorMapper errors,
            ThreadFactory threads, String defaultModel, Caller caller, Auditor auditor,
            Map<String, String> upgradeHeaders) {
        this.upgradeHeaders = Map.copyOf(upgradeHeaders);
        this.parser = parser;
        this.inference = inference;
        this.ids = ids;
        this.json = json;
        this.errors = errors;
        this.threads = threads;
        this.defaultModel = defaultModel;
        this.caller = caller;
        this.auditor = auditor;
    }

    /**
     * The upgrade request's headers each message's trace continues from ({@code traceparent},
     * {@code tracestate}) and the tenant header, copied: the request is gone once upgraded.
     */
    static Map<String, String> traceHeaders(Function<String, String> header) {
        Map<String, String> out = new HashMap<>();
        for (String name : TRACE_HEADERS) {
            String value = header.apply(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    private static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate", "x-strata-tenant");

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String message) {
        String id = ids.next("ws-");
        CallRecord record = auditor.open(id, caller); // a cancel message drops it unstored
        ObservedRequest observed = ObservedRequest.NONE;
        try {
            JsonNode node = read(message);
            if (node.isObject() && "cancel".equals(node.path("type").asText())) {
                Generation g = running;
                if (g != null) {
                    g.cancel();
                }
                return;
            }
            observed = inference.observe("WS /v1/stream", "websocket", upgradeHeaders::get);
            if (running != null) {
                throw new GatewayException.InvalidRequest("a generation is already running on this connection; "
                        + "send {\"type\":\"cancel\"} or wait for its done event", null, "busy");
            }
            ApiRequest request = node.has("messages") ? parser.chat(node) : parser.generate(node, defaultModel);
            Generation generation = observed.within(() -> inference.start(id, request.call(), record));
            running = generation;
            ObservedRequest streaming = observed;
            threads.newThread(() -> stream(generation, record, streaming)).start();
        } catch (RuntimeException e) {
            auditor.close(record, ENDPOINT, errors.map(e).status(), e.getMessage());
            observed.end(Integer.toString(errors.map(e).status()), true);
            sendError(e);
        }
    }

    private JsonNode read(String message) {
        try {
            return json.readTree(message);
        } catch (JacksonException e) {
            throw new GatewayException.InvalidRequest("We could not parse the JSON of your message: "
                    + e.getOriginalMessage(), null, "invalid_json");
        }
    }

    private void stream(Generation generation, CallRecord record, ObservedRequest observed) {
        boolean audited = false;
        String status = "ok";
        boolean failed = false;
        try { // closed in finally, after a gone client's generation was drained
            while (!generation.done()) {
                ChoiceEvent ce = generation.next();
                switch (ce.event()) {
                    case GenerationEvent.Token t -> {
                        if (!t.text().isEmpty()) {
                            send(new ResponseShapes.TokenEvent("token", t.text()));
                        }
                    }
                    case GenerationEvent.Finished f -> {
                        // free the connection before telling the client, so its next request is accepted
                        generation.close();
                        auditor.close(record, ENDPOINT, closed ? 499 : 200, closed ? "the client went away" : null);
                        audited = true;
                        running = null;
                        observed.end(status, false); // before the client hears done: its next message is a new request
                        send(new ResponseShapes.DoneEvent("done", Collected.finishReason(f.reason()),
                                new ResponseShapes.NativeUsage(f.usage().promptTokens(), f.usage().completionTokens()),
                                ResponseShapes.NativeTimings.of(f.timings())));
                    }
                    case GenerationEvent.Failed f -> throw f.error();
                }
            }
        } catch (InterruptedException e) {
            status = "interrupted";
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            status = "client_gone";
            generation.cancel(); // the client is gone
            drain(generation);
        } catch (RuntimeException e) {
            if (!audited) {
                generation.close();
                auditor.close(record, ENDPOINT, errors.map(e).status(), e.getMessage());
                audited = true;
            }
            status = Integer.toString(errors.map(e).status());
            failed = true;
            sendError(e);
        } finally {
            generation.close();
            if (!audited) {
                auditor.close(record, ENDPOINT, 499, "the client went away");
            }
            if (running == generation) {
                running = null;
            }
            observed.end(status, failed);
        }
    }

    /** Reads a cancelled generation to its end (within a step), so what it generated is counted and settled. */
    private static void drain(Generation generation) {
        try {
            while (!generation.done()) {
                generation.next();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendError(RuntimeException e) {
        try {
            send(new ResponseShapes.ErrorEvent("error", errors.map(e).body().error()));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // the client is gone; nobody to tell
        }
    }

    private void send(Object event) throws InterruptedException, ExecutionException {
        String text;
        try {
            text = json.writeValueAsString(event);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
        Callback.Completable sent = new Callback.Completable();
        session.sendText(text, sent);
        sent.get();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed = true;
        Generation g = running;
        if (g != null) {
            g.cancel();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        onWebSocketClose(0, cause.getMessage());
    }
}
