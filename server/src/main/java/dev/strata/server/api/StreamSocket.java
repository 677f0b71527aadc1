package dev.strata.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.server.GatewayException;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.Caller;
import dev.strata.server.inference.ChoiceEvent;
import dev.strata.server.inference.Generation;
import dev.strata.server.inference.InferenceService;
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
 * (Public only because Jetty binds listener methods reflectively.)
 */
public final class StreamSocket implements Session.Listener.AutoDemanding {
    private final CallParser parser;
    private final InferenceService inference;
    private final RequestIds ids;
    private final ObjectMapper json;
    private final ErrorMapper errors;
    private final ThreadFactory threads;
    private final String defaultModel;
    private final Caller caller;
    private volatile Session session;
    private volatile Generation running;

    StreamSocket(CallParser parser, InferenceService inference, RequestIds ids, ObjectMapper json, ErrorMapper errors,
            ThreadFactory threads, String defaultModel, Caller caller) {
        this.parser = parser;
        this.inference = inference;
        this.ids = ids;
        this.json = json;
        this.errors = errors;
        this.threads = threads;
        this.defaultModel = defaultModel;
        this.caller = caller;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
    }

    @Override
    public void onWebSocketText(String message) {
        try {
            JsonNode node = read(message);
            if (node.isObject() && "cancel".equals(node.path("type").asText())) {
                Generation g = running;
                if (g != null) {
                    g.cancel();
                }
                return;
            }
            if (running != null) {
                throw new GatewayException.InvalidRequest("a generation is already running on this connection; "
                        + "send {\"type\":\"cancel\"} or wait for its done event", null, "busy");
            }
            ApiRequest request = node.has("messages") ? parser.chat(node) : parser.generate(node, defaultModel);
            Generation generation = inference.start(ids.next("ws-"), request.call(), CallRecord.unaudited(caller));
            running = generation;
            threads.newThread(() -> stream(generation)).start();
        } catch (RuntimeException e) {
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

    private void stream(Generation generation) {
        try (generation) {
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
                        running = null;
                        send(new ResponseShapes.DoneEvent("done", Collected.finishReason(f.reason()),
                                new ResponseShapes.NativeUsage(f.usage().promptTokens(), f.usage().completionTokens()),
                                ResponseShapes.NativeTimings.of(f.timings())));
                    }
                    case GenerationEvent.Failed f -> throw f.error();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            generation.cancel(); // the client is gone
        } catch (RuntimeException e) {
            sendError(e);
        } finally {
            if (running == generation) {
                running = null;
            }
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
