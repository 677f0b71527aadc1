package dev.strata.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.GatewayException;
import dev.strata.server.audit.Auditor;
import dev.strata.server.audit.CallRecord;
import dev.strata.server.auth.AuthResult;
import dev.strata.server.auth.Caller;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.registry.ModelRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP API's router and its edge: picks the endpoint for method and path (404 unknown path, 405
 * wrong method), runs it on the request's virtual thread, and maps any failure once, through
 * {@link ErrorMapper}, to a status and OpenAI's error object — or, when an event stream has already
 * started, to a final error event.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    private static final String MODELS_PREFIX = "/v1/models/";
    private static final String ADMIN_PREFIX = "/admin/";
    private static final String API_PREFIX = "/v1/";

    private final Map<String, Map<String, Endpoint>> routes = new LinkedHashMap<>();
    private final Map<String, Endpoint> modelById;
    private final ObjectMapper json = ApiJson.newMapper();
    private final ErrorMapper errors = new ErrorMapper();
    private final long maxBodyBytes;
    private final CallParser parser;
    private final RequestIds ids;
    private final InferenceService inference;
    private final String defaultModel;
    private final TenancyApi tenancy;
    private final AdminEndpoint admin;
    private final Auditor auditor;

    /**
     * Six collaborators (one over the house limit): the API is the composition point of its
     * endpoints, which each take a subset of these.
     *
     * @param shuttingDown true once a graceful stop began (readiness then answers 503)
     */
    public ApiHandler(ModelRegistry registry, InferenceService inference, ApiOptions options, Clock clock,
            RandomGenerator random, BooleanSupplier shuttingDown, TenancyApi tenancy) {
        super(InvocationType.BLOCKING);
        this.maxBodyBytes = options.maxBodyBytes();
        this.tenancy = tenancy;
        this.admin = new AdminEndpoint(tenancy, json);
        this.auditor = new Auditor(tenancy.audit(), tenancy.prices(), clock, System::nanoTime);
        CallParser parser = new CallParser(options.maxN());
        RequestIds ids = new RequestIds(random);
        this.parser = parser;
        this.ids = ids;
        this.inference = inference;
        this.defaultModel = registry.all().getFirst().id();
        String fingerprint = "fp_strata_" + options.version();
        ModelsEndpoint models = new ModelsEndpoint(registry);
        HealthEndpoint health = new HealthEndpoint(registry, shuttingDown, options.retryAfterSeconds());
        ResponseShapes.Version version = new ResponseShapes.Version(options.version(), Runtime.version().toString());
        route("POST", "/v1/chat/completions", new ChatCompletionsEndpoint(parser, inference, ids, clock, fingerprint,
                tenancy.prices()));
        route("POST", "/v1/completions", new CompletionsEndpoint(parser, inference, ids, clock, fingerprint,
                tenancy.prices()));
        route("POST", "/v1/generate", new GenerateEndpoint(parser, inference, registry, ids));
        route("GET", "/v1/models", models::list);
        route("GET", "/health/live", health::live);
        route("GET", "/health/ready", health::ready);
        route("GET", "/version", ex -> ex.sendJson(200, version));
        this.modelById = Map.of("GET", models::one);
    }

    /**
     * This API with the WebSocket route {@code /v1/stream} in front of it, on {@code server}.
     *
     * @param threads starts the thread that streams each WebSocket generation (virtual threads)
     */
    public Handler withWebSocket(Server server, ThreadFactory threads) {
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(maxBodyBytes);
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.addMapping("/v1/stream", (request, response, callback) -> {
                AuthResult auth = tenancy.authenticator().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
                if (auth instanceof AuthResult.Authenticated a) {
                    return new StreamSocket(parser, inference, ids, json, errors, threads, defaultModel, a.caller(),
                            auditor, StreamSocket.traceHeaders(request.getHeaders()::get));
                }
                String denied = ((AuthResult.Denied) auth).message();
                auditor.close(auditor.open(ids.next("ws-"), Caller.ANONYMOUS, request.getHeadersNanoTime()),
                        StreamSocket.ENDPOINT, 401, denied);
                Response.writeError(request, response, callback, 401, denied);
                return null;
            });
        });
        upgrade.setHandler(this);
        return upgrade;
    }

    private void route(String method, String path, Endpoint endpoint) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, endpoint);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getDecodedPath();
        String method = request.getMethod();
        Map<String, Endpoint> byMethod = routes.get(path);
        String parameter = null;
        if (byMethod == null && path.startsWith(MODELS_PREFIX) && path.length() > MODELS_PREFIX.length()) {
            byMethod = modelById;
            parameter = path.substring(MODELS_PREFIX.length());
        }
        Exchange exchange = new Exchange(request, response, json, maxBodyBytes, parameter);
        CallRecord record = null;
        try {
            if (path.startsWith(ADMIN_PREFIX)) {
                admin.handle(exchange);
                callback.succeeded();
                return true;
            }
            if (path.startsWith(API_PREFIX)) {
                record = authenticate(request, exchange);
            }
            if (byMethod == null) {
                throw new GatewayException.NotFound("Invalid URL (" + method + " " + path + ")", null, "not_found");
            }
            Endpoint endpoint = byMethod.get(method);
            if (endpoint == null) {
                throw new GatewayException.MethodNotAllowed(method, path, String.join(", ", byMethod.keySet()));
            }
            endpoint.handle(exchange);
            callback.succeeded();
            audit(record, method + " " + path, 200, null);
        } catch (Throwable failure) {
            int status = fail(exchange, response, callback, failure);
            audit(exchange.openRecord(), method + " " + path, status, failure.getMessage());
        }
        return true;
    }

    /** Opens the request's audit record; throws 401 (after opening it, so the refusal is logged too). */
    private CallRecord authenticate(Request request, Exchange exchange) {
        AuthResult auth = tenancy.authenticator().authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        Caller caller = auth instanceof AuthResult.Authenticated a ? a.caller() : Caller.ANONYMOUS;
        CallRecord record = auditor.open(ids.next("req-"), caller, exchange.receivedNanos());
        exchange.record(record);
        if (auth instanceof AuthResult.Denied d) {
            throw new GatewayException.Unauthorized(d.message());
        }
        return record;
    }

    private void audit(CallRecord record, String endpoint, int status, String error) {
        if (record != null) {
            auditor.close(record, endpoint, status, error);
        }
    }

    /** Sends the error; returns the status the client got (499 when it had gone away). */
    private int fail(Exchange exchange, Response response, Callback callback, Throwable failure) {
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof IOException) {
            callback.failed(failure); // the client went away; nobody to tell
            return 499;
        }
        ErrorMapper.ErrorReply reply = errors.map(failure);
        if (reply.status() == 500) {
            LOG.log(System.Logger.Level.ERROR, "request failed", failure);
        }
        try {
            EventStream events = exchange.events();
            if (events != null) {
                if (!events.ended()) {
                    events.send(reply.body());
                    events.end();
                }
                callback.succeeded();
                return 200;
            }
            if (exchange.committed()) {
                callback.failed(failure);
                return 200;
            }
            response.reset();
            if (reply.retryAfterSeconds() != null) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, reply.retryAfterSeconds().toString());
            }
            if (reply.allow() != null) {
                response.getHeaders().put(HttpHeader.ALLOW, reply.allow());
            }
            exchange.sendJson(reply.status(), reply.body());
            callback.succeeded();
        } catch (Throwable writeFailure) {
            callback.failed(writeFailure);
        }
        return reply.status();
    }
}
