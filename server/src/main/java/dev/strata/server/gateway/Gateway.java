package dev.strata.server.gateway;

import dev.strata.server.api.ApiHandler;
import dev.strata.server.api.ApiOptions;
import dev.strata.server.api.AuthGate;
import dev.strata.server.api.TenancyApi;
import dev.strata.server.config.Limits;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.grpc.GrpcServer;
import dev.strata.server.http.HttpServer;
import dev.strata.server.inference.InferenceService;
import dev.strata.server.registry.ModelLoader;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.registry.ServedModel;
import dev.strata.server.route.RouteStage;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Supplier;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * One Strata server process's serving side. {@link #start} opens the HTTP port first (so liveness
 * answers and readiness says "loading" while models load), then loads and warms up every model.
 * {@link #stop} marks the server not-ready, stops accepting, drains in-flight requests within the
 * configured timeout and closes the engines.
 */
public final class Gateway implements AutoCloseable {
    private final StrataConfig config;
    private final ModelRegistry registry;
    private final InferenceService inference;
    private final ExecutorService requestThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer http;
    private final Observability observability;
    private final GrpcServer grpc;
    private final Tenancy tenancy;
    private final RouteStage routes;
    private volatile boolean shuttingDown;

    public Gateway(StrataConfig config, ModelLoader loader, Clock clock, String version) {
        this(config, loader, clock, version, Observability.fromEnvironment(config, System.getenv(), clock));
    }

    /** @param observability metrics, traces, logs and cost of this server (closed by {@link #stop}) */
    public Gateway(StrataConfig config, ModelLoader loader, Clock clock, String version,
            Observability observability) {
        this(config, loader, clock, version, observability, () -> null);
    }

    /**
     * @param gatewaySection reads the config file's {@code gateway:} section (upstreams, routes); when it
     *                       has none, no routing stage is installed
     */
    public Gateway(StrataConfig config, ModelLoader loader, Clock clock, String version,
            Observability observability, Supplier<JsonNode> gatewaySection) {
        this.config = config;
        this.observability = observability;
        Limits limits = config.server().limits();
        this.registry = new ModelRegistry(config.models(), loader, clock, System::nanoTime,
                observability.stepListeners());
        observability.bindModels(registry);
        this.tenancy = new Tenancy(config.tenancy(), PriceTable.of(config.models()), limits.maxConcurrentRequests(),
                limits.retryAfterSeconds(), clock, System::nanoTime, new dev.strata.server.metrics.LimiterMetrics(
                        observability.registry(), Observability.MAX_TENANT_LABELS));
        observability.bindKeyCache(tenancy.authenticator());
        this.inference = new InferenceService(registry, tenancy.admission(), limits.retryAfterSeconds(),
                Thread.ofVirtual().name("strata-choice-", 0).factory(), System::nanoTime,
                observability.inferenceListener());
        ApiHandler api = new ApiHandler(registry, inference,
                new ApiOptions(limits.maxBodyBytes(), limits.maxN(), limits.retryAfterSeconds(), version), clock,
                RandomGenerator.of("L64X128MixRandom"), () -> shuttingDown, new TenancyApi(tenancy.authenticator(),
                        tenancy.adminAuth(), tenancy.keyAdmin(), tenancy.audit(), tenancy.prices(), tenancy::status));

        this.routes = gatewaySection.get() == null ? null
                : new RouteStage(gatewaySection, clock, System.getenv(), com.fasterxml.jackson.databind.json.JsonMapper
                        .builder().build(), (name, model) -> new dev.strata.server.api.LocalChatBackend(name, model,
                                inference, limits.maxN(), RandomGenerator.of("L64X128MixRandom"), clock),
                        observability.upstreamListener(),
                        new dev.strata.server.metrics.RouteMetrics(observability.registry())::served);
        this.http = new HttpServer(config.server(),
                server -> observability.wrap(routes == null
                        ? api.withWebSocket(server, Thread.ofVirtual().name("strata-ws-", 0).factory())
                        : new AuthGate(tenancy.authenticator(), tenancy.adminAuth(), tenancy.auditor(),
                                routes.wrap(api.withWebSocket(server, Thread.ofVirtual().name("strata-ws-", 0).factory()),
                                id -> registry.find(id).isPresent(), limits.maxBodyBytes(),
                                new TenantRouteGuard(tenancy.authenticator(), tenancy.upstreamAdmission(),
                                        tenancy.auditor(), com.fasterxml.jackson.databind.json.JsonMapper.builder()
                                                .build()))), usageAccess(tenancy)),
                requestThreads);
        this.grpc = config.server().grpcPort() < 0 ? null
                : new GrpcServer(config.server(), inference, registry, requestThreads, tenancy.authenticator(),
                        tenancy.auditor());
    }

    /**
     * {@code /v1/usage} for a caller: everything with the admin key or on a server without
     * authentication, only its own tenant with a tenant's key, nothing (401) otherwise.
     */
    private static dev.strata.server.observe.UsageAccess usageAccess(Tenancy tenancy) {
        return authorization -> {
            if (tenancy.adminAuth().enabled() && tenancy.adminAuth().allows(authorization)) {
                return new dev.strata.server.observe.UsageAccess.Scope.All();
            }
            if (!tenancy.authenticator().required()) {
                return new dev.strata.server.observe.UsageAccess.Scope.All();
            }
            return switch (tenancy.authenticator().authenticate(authorization)) {
                case dev.strata.server.auth.AuthResult.Authenticated a ->
                        new dev.strata.server.observe.UsageAccess.Scope.OneTenant(a.caller().tenant().name());
                case dev.strata.server.auth.AuthResult.Denied d ->
                        new dev.strata.server.observe.UsageAccess.Scope.Denied(d.message());
            };
        };
    }

    /** Opens the port, then loads every model (blocking until all are ready). */
    public void start() throws Exception {
        http.start();
        if (grpc != null) {
            grpc.start();
        }
        observability.lifecycle("server_started", Map.of("uri", http.uri().toString()));
        registry.loadAll();
        for (ServedModel m : registry.all()) {
            observability.lifecycle("model_ready", Map.of("model", m.id(), "load_seconds", m.loadNanos() / 1e9));
        }
    }

    public URI httpUri() {
        return http.uri();
    }

    /** The bound gRPC port, or -1 when gRPC is disabled. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public ModelRegistry registry() {
        return registry;
    }

    public InferenceService inference() {
        return inference;
    }

    public Observability observability() {
        return observability;
    }

    public Tenancy tenancy() {
        return tenancy;
    }

    public StrataConfig config() {
        return config;
    }

    /** Graceful stop: not ready, stop accepting, drain in-flight requests, close engines. */
    public void stop() {
        shuttingDown = true;
        observability.lifecycle("server_stopping", Map.of());
        try {
            if (grpc != null) {
                grpc.shutdownAsync();
            }
            http.stop();
            if (grpc != null) {
                grpc.stop();
            }
        } finally {
            registry.close();
            requestThreads.shutdownNow();
            if (routes != null) {
                routes.close();
            }
            observability.lifecycle("server_stopped", Map.of());
            observability.close();
            tenancy.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
