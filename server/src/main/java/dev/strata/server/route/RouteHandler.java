package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.GatewayException;
import dev.strata.server.backend.BackendResult;
import dev.strata.server.backend.ClientBody;
import dev.strata.server.backend.Hops;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The gateway's HTTP hook, in front of the local API. A {@code POST /v1/chat/completions} — or a
 * legacy {@code POST /v1/completions}, through {@link CompletionsBridge} — whose model (or rules)
 * select a route is served here; any other request, and one for a local model with no rule, goes on
 * to the wrapped handler with its body replayed. A routed request that arrives having passed
 * {@link Hops#MAX} gateways gets 508; its hop count is bound while it is routed so upstream calls
 * carry it on. Also the admin endpoints:
 * <ul>
 * <li>{@code POST /admin/reload}: re-read the config file; 400 with the bad key, old config kept;</li>
 * <li>{@code GET /admin/routes}: routes, canary weights, breaker states, pool members;</li>
 * <li>{@code POST /admin/routes/{route}/canary} {@code {"weight_percent": n}}, {@code .../promote}
 *     (100), {@code .../rollback} (0), {@code .../reset} (back to the file's weight);</li>
 * <li>{@code GET /admin/shadow/{route}}: the shadow comparison.</li>
 * </ul>
 * Errors use OpenAI's error object with the upstream's status mapped as in {@link Router#status}.
 * A routed request passes its {@link RouteGuard} first (tenant limits; refused before any upstream
 * call) and reports its outcome to it at the end (settlement, audit).
 */
public final class RouteHandler extends Handler.Wrapper {
    private static final String CHAT = "/v1/chat/completions";
    private static final String COMPLETIONS = "/v1/completions";

    /** How answers leave: chat as they are, or reshaped for the legacy completions endpoint. */
    private interface Shape {
        ObjectNode answer(ObjectNode chat);

        ObjectNode chunk(ObjectNode chat);
    }

    private static final Shape CHAT_SHAPE = new Shape() {
        @Override
        public ObjectNode answer(ObjectNode chat) {
            return chat;
        }

        @Override
        public ObjectNode chunk(ObjectNode chat) {
            return chat;
        }
    };

    private final Routing routing;
    private final Predicate<String> servedLocally;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final RouteGuard guard;
    private final Hops hops;
    private final ClientBody clientBody;
    private final CompletionsBridge completions;
    private final RouteObserver observer;

    /**
     * @param hops       the loop guard: incoming {@code x-strata-hops}, bound while the request is routed
     * @param clientBody bound to the client's bytes while a chat request is routed as it came (upstreams
     *                   send those bytes instead of serialising the parsed request again)
     */
    // Nine parameters: the routing stage's one wiring point; each is a different collaborator or setting.
    public RouteHandler(Routing routing, Predicate<String> servedLocally, ObjectMapper json, long maxBodyBytes,
            RouteGuard guard, Hops hops, ClientBody clientBody, RouteObserver observer, Handler next) {
        super(next);
        this.clientBody = clientBody;
        this.guard = guard;
        this.observer = observer;
        this.hops = hops;
        this.completions = new CompletionsBridge(json);
        this.routing = routing;
        this.servedLocally = servedLocally;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getDecodedPath();
        String method = request.getMethod();
        try {
            if (path.startsWith("/admin/")) {
                if (admin(method, path, request, response)) {
                    callback.succeeded();
                    return true;
                }
                return super.handle(request, response, callback);
            }
            boolean chat = path.equals(CHAT);
            if (!method.equals("POST") || !(chat || path.equals(COMPLETIONS))) {
                return super.handle(request, response, callback);
            }
            byte[] bytes = readBody(request);
            JsonNode parsed = bytes.length == 0 ? null : readTree(bytes);
            if (!(parsed instanceof ObjectNode body) || (!chat && !parsed.path("prompt").isTextual()
                    && !parsed.path("prompt").isArray())) {
                return super.handle(new Replay(request, bytes), response, callback);
            }
            ObjectNode asked = chat ? body : promptAsMessages(body);
            RequestFeatures features = RequestFeatures.of(asked, request.getHeaders().get("x-strata-tenant"),
                    request.getHeaders().get("x-strata-user"));
            String route = routing.select(features, servedLocally);
            if (route == null) {
                return super.handle(new Replay(request, bytes), response, callback);
            }
            int hop = Hops.parse(request.getHeaders().get(Hops.HEADER));
            if (hop < 0) {
                throw new GatewayException.InvalidRequest(Hops.HEADER + " must be a non-negative integer",
                        Hops.HEADER, "invalid_value");
            }
            if (hop >= Hops.MAX) {
                error(response, 508, "routing loop: the request already passed " + hop + " Strata gateways ("
                        + Hops.HEADER + "); check that no upstream of route " + route + " points back at a gateway"
                        + " that routes model " + features.model() + " here again", "loop_detected");
                callback.succeeded();
                return true;
            }
            Shape shape = chat ? CHAT_SHAPE : new Shape() {
                @Override
                public ObjectNode answer(ObjectNode c) {
                    return completions.answer(c);
                }

                @Override
                public ObjectNode chunk(ObjectNode c) {
                    return completions.chunk(c);
                }
            };
            switch (guard.admit(request.getHeaders().get(HttpHeader.AUTHORIZATION), body, features,
                    request.getHeadersNanoTime())) {
                case RouteGuard.Refused r -> refuse(response, r);
                case RouteGuard.Admitted a -> {
                    ObjectNode routed = chat ? a.body() : completions.toChat(a.body());
                    Router.Served[] served = {null};
                    try {
                        // the client's bytes stand for the request only while it is the tree parsed from them
                        byte[] asSent = routed == body ? bytes : null;
                        hops.bind(hop, () -> clientBody.bind(routed, asSent, () -> {
                            served[0] = serve(route, routed, features, response, shape);
                            return null;
                        }));
                    } finally {
                        a.pass().finish(served[0] == null ? null : served[0].result(), status(served[0]));
                    }
                }
            }
            callback.succeeded();
        } catch (GatewayException e) {
            int status = switch (e) {
                case GatewayException.NotFound n -> 404;
                case GatewayException.PayloadTooLarge p -> 413;
                case GatewayException.InvalidConfig c -> 400; // a refused reload: the old config keeps serving
                default -> 400;
            };
            if (e instanceof GatewayException.InvalidRequest bad) {
                ObjectNode body = errorBody(e.getMessage(), bad.code());
                ((ObjectNode) body.get("error")).put("type", "invalid_request_error").put("param", bad.param());
                sendJson(response, status, body);
            } else {
                error(response, status, e.getMessage(), null);
            }
            callback.succeeded();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (IOException e) {
            callback.failed(e);
        }
        return true;
    }

    private JsonNode readTree(byte[] bytes) {
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            return null; // the local API answers malformed JSON with its own 400
        }
    }

    private byte[] readBody(Request request) throws IOException {
        try (var in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (bytes.length > maxBodyBytes) {
                throw new GatewayException.PayloadTooLarge(maxBodyBytes);
            }
            return bytes;
        }
    }

    /** What the client got: 200 once a stream started, 499 when it went away first. */
    private static int status(Router.Served served) {
        return switch (served == null ? null : served.result()) {
            case BackendResult.Answered a -> 200;
            case BackendResult.Failed f -> f.streamStarted() ? 200 : Router.status(f);
            case null -> served == null ? 499 : 502;
        };
    }

    private void refuse(Response response, RouteGuard.Refused refused) throws IOException {
        if (refused.retryAfterSeconds() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, refused.retryAfterSeconds().toString());
        }
        sendJson(response, refused.status(), refused.error());
    }


    /** The completions body with its prompt as one user message, for rule matching only. */
    private ObjectNode promptAsMessages(ObjectNode body) {
        ObjectNode view = body.deepCopy();
        JsonNode prompt = body.path("prompt");
        String text = prompt.isArray() && !prompt.isEmpty() ? prompt.get(0).asText() : prompt.asText();
        view.putArray("messages").addObject().put("role", "user").put("content", text);
        return view;
    }

    private Router.Served serve(String route, ObjectNode body, RequestFeatures features, Response response,
            Shape shape)
            throws IOException, InterruptedException {
        boolean stream = body.path("stream").asBoolean(false);
        boolean[] started = {false};
        Router.Served served = routing.serve(route, body, features, !stream ? null : (header, chunk) -> {
            try {
                if (!started[0]) {
                    started[0] = true;
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                    response.getHeaders().put("x-strata-route", header);
                }
                Content.Sink.write(response, false, ByteBuffer.wrap(sse(json.writeValueAsBytes(shape.chunk(chunk)))));
                return true;
            } catch (IOException e) {
                return false; // the client went away: stop the upstream
            }
        });
        BackendResult result = served.result();
        observer.served(route, served.tier(), result == null ? "none" : result.servedBy(),
                result instanceof BackendResult.Failed f ? f.failure().name().toLowerCase(java.util.Locale.ROOT) : "ok");
        switch (result) {
            case BackendResult.Answered a -> {
                if (stream) {
                    if (!started[0]) {
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                        response.getHeaders().put("x-strata-route", served.routeHeader());
                    }
                    Content.Sink.write(response, true, ByteBuffer.wrap("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
                } else {
                    response.getHeaders().put("x-strata-route", served.routeHeader());
                    if (shape == CHAT_SHAPE && a.asReceived() != null) {
                        // the upstream's own bytes of this very answer: no second serialisation
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        Content.Sink.write(response, true, ByteBuffer.wrap(a.asReceived()));
                    } else {
                        sendJson(response, 200, shape.answer(a.body()));
                    }
                }
            }
            case BackendResult.Failed f -> {
                if (started[0]) {
                    ObjectNode event = errorBody(f.message(), f.failure().name().toLowerCase(java.util.Locale.ROOT));
                    Content.Sink.write(response, true, ByteBuffer.wrap(sse(json.writeValueAsBytes(event))));
                } else {
                    response.getHeaders().put("x-strata-route", served.routeHeader());
                    if (f.retryAfterMillis() > 0) {
                        response.getHeaders().put(HttpHeader.RETRY_AFTER,
                                Long.toString(Math.max(1, (f.retryAfterMillis() + 999) / 1000)));
                    }
                    error(response, Router.status(f), f.message(), f.failure().name().toLowerCase(java.util.Locale.ROOT));
                }
            }
            case null -> error(response, 502, "route " + route + " has no target", null);
        }
        return served;
    }

    private boolean admin(String method, String path, Request request, Response response) throws IOException {
        String[] parts = path.substring(1).split("/");
        if (method.equals("POST") && path.equals("/admin/reload")) {
            RoutesConfig config = routing.reload();
            sendJson(response, 200, json.createObjectNode().put("reloaded", true).put("routes", config.routes().size())
                    .put("rules", config.rules().size()));
            return true;
        }
        if (method.equals("GET") && path.equals("/admin/routes")) {
            sendJson(response, 200, describe());
            return true;
        }
        if (method.equals("POST") && parts.length == 4 && parts[1].equals("routes")) {
            String route = parts[2];
            switch (parts[3]) {
                case "canary" -> {
                    byte[] bytes = readBody(request);
                    JsonNode node = readTree(bytes);
                    if (node == null || !node.path("weight_percent").isNumber()) {
                        throw new GatewayException.InvalidRequest("body must be {\"weight_percent\": n}",
                                "weight_percent", "invalid_value");
                    }
                    routing.canaryWeight(route, node.get("weight_percent").asDouble());
                }
                case "promote" -> routing.canaryWeight(route, 100.0);
                case "rollback" -> routing.canaryWeight(route, 0.0);
                case "reset" -> routing.canaryWeight(route, null);
                default -> {
                    return false;
                }
            }
            sendJson(response, 200, json.createObjectNode().put("route", route)
                    .put("canary_weight_percent", routing.canaryWeight(route)));
            return true;
        }
        if (method.equals("GET") && parts.length == 3 && parts[1].equals("shadow")) {
            ShadowStats.Summary s = routing.shadow(parts[2]);
            if (s == null) {
                throw new GatewayException.NotFound("no shadow traffic recorded for route " + parts[2], "route",
                        "not_found");
            }
            sendJson(response, 200, json.valueToTree(s));
            return true;
        }
        return false;
    }

    private ObjectNode describe() {
        RouteTable t = routing.table();
        ObjectNode out = json.createObjectNode();
        ObjectNode routes = out.putObject("routes");
        for (RoutesConfig.RouteSpec r : t.config.routes()) {
            ObjectNode n = routes.putObject(r.name());
            n.set("targets", json.valueToTree(r.targets()));
            if (r.cascade() != null) {
                n.set("cascade", json.valueToTree(r.cascade().tiers()));
            }
            if (r.canary() != null) {
                n.put("canary", r.canary().target()).put("canary_weight_percent", routing.canaryWeight(r.name()));
            }
            if (r.shadow() != null) {
                n.put("shadow", r.shadow().target()).put("shadow_percent", r.shadow().percent());
            }
        }
        out.set("breakers", json.valueToTree(routing.breakerStates()));
        Map<String, Object> pools = new LinkedHashMap<>();
        t.pools.forEach((name, pool) -> pools.put(name, Map.of("available", pool.available(),
                "outstanding", pool.outstanding())));
        out.set("pools", json.valueToTree(pools));
        return out;
    }

    private static byte[] sse(byte[] payload) {
        byte[] out = new byte[payload.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(payload, 0, out, 6, payload.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    private ObjectNode errorBody(String message, String code) {
        ObjectNode out = json.createObjectNode();
        ObjectNode e = out.putObject("error");
        e.put("message", message).put("type", "upstream_error").putNull("param");
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return out;
    }

    private void error(Response response, int status, String message, String code) throws IOException {
        sendJson(response, status, errorBody(message, code));
    }

    private void sendJson(Response response, int status, JsonNode body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, ByteBuffer.wrap(json.writeValueAsBytes(body)));
    }

    /** The request with its already-read body served again to the next handler. */
    private static final class Replay extends Request.Wrapper {
        private Content.Chunk chunk;

        Replay(Request request, byte[] body) {
            super(request);
            this.chunk = Content.Chunk.from(ByteBuffer.wrap(body), true);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk c = chunk;
            chunk = Content.Chunk.EOF;
            return c;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }
    }
}
