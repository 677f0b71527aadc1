package dev.strata.server.observe;

import dev.strata.engine.generate.EngineStats;
import dev.strata.engine.generate.StepListener;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.cost.InMemoryUsageStore;
import dev.strata.server.cost.JdbcUsageStore;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.cost.UsageStore;
import dev.strata.server.inference.InferenceListener;
import dev.strata.server.log.JsonLog;
import dev.strata.server.log.LogLevel;
import dev.strata.server.metrics.CacheMetrics;
import dev.strata.server.metrics.EngineMetrics;
import dev.strata.server.metrics.GatewayMetrics;
import dev.strata.server.metrics.ModelGauges;
import dev.strata.server.metrics.PrometheusRegistries;
import dev.strata.server.metrics.UpstreamMetrics;
import dev.strata.server.registry.ModelRegistry;
import dev.strata.server.route.UpstreamListener;
import dev.strata.server.store.Database;
import dev.strata.server.trace.RequestTracer;
import dev.strata.server.trace.TracingSetup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.Handler;

/**
 * One server's metrics, traces, logs and cost accounting, and the hooks that feed them: build one
 * per server and hand its {@link #wrap handler wrapper}, {@link #inferenceListener()} and
 * {@link #stepListeners()} to the HTTP server, the inference service and the model registry.
 */
public final class Observability implements AutoCloseable {
    /** Distinct tenants counted under their own label before the rest count as {@code other}. */
    public static final int MAX_TENANT_LABELS = 1000;
    /** The paths the {@code route} label names; anything else is {@code unmatched}. */
    public static final Set<String> ROUTES = Set.of("/v1/chat/completions", "/v1/completions", "/v1/generate",
            "/v1/embeddings", "/v1/models", "/v1/stream", "/health/live", "/health/ready", "/version",
            "/admin/reload", "/admin/routes",
            OperationsHandler.METRICS, OperationsHandler.USAGE);

    private final PrometheusMeterRegistry registry;
    private final OpenTelemetry openTelemetry;
    private final UsageStore usage;
    private final JsonLog log;
    private final Clock clock;
    private final ScopedValue<RequestScope> current = ScopedValue.newInstance();
    private final EngineMetrics engineMetrics;
    private final GatewayMetrics gatewayMetrics;
    private final UpstreamMetrics upstreamMetrics;
    private final CacheMetrics cacheMetrics;
    private final RequestTracer tracer;
    private final CallObserver calls;
    private final LongSupplier nanoTime;

    /**
     * @param registry      where metrics go (scraped at {@code GET /metrics})
     * @param openTelemetry where spans go ({@link OpenTelemetry#noop()} for none)
     * @param usage         where each call's usage is added up ({@code GET /v1/usage})
     * @param logOut        where JSON log lines go (standard output in production)
     * @param nanoTime      the monotonic clock of the request path ({@code System::nanoTime})
     */
    public Observability(StrataConfig config, PrometheusMeterRegistry registry, OpenTelemetry openTelemetry,
            UsageStore usage, PrintStream logOut, Clock clock, LongSupplier nanoTime) {
        this.registry = registry;
        this.openTelemetry = openTelemetry;
        this.usage = usage;
        this.clock = clock;
        this.log = new JsonLog(logOut, LogLevel.parse(config.observe().logLevel()), clock);
        this.engineMetrics = new EngineMetrics(registry);
        this.gatewayMetrics = new GatewayMetrics(registry, MAX_TENANT_LABELS);
        this.upstreamMetrics = new UpstreamMetrics(registry);
        this.cacheMetrics = new CacheMetrics(registry);
        this.tracer = new RequestTracer(openTelemetry, clock, nanoTime);
        this.calls = new CallObserver(current, new CallObserver.Meters(engineMetrics, gatewayMetrics),
                PriceTable.of(config.models()), usage, tracer, new CallObserver.Clocks(clock, nanoTime),
                config.observe().logPrompts(), log);
        this.nanoTime = nanoTime;
    }

    /**
     * The production setup: Prometheus with JVM and process meters, OpenTelemetry from the
     * {@code OTEL_*} variables in {@code env} (off unless configured), usage in the tenancy database
     * ({@link #usageStore}), logs on standard output.
     */
    public static Observability fromEnvironment(StrataConfig config, Map<String, String> env, Clock clock) {
        return new Observability(config, PrometheusRegistries.withJvmMetrics(), new TracingSetup(env).open(),
                usageStore(config.tenancy()), System.out, clock, System::nanoTime);
    }

    /**
     * Usage kept where keys and the audit log are: the PostgreSQL URL when configured, else the
     * SQLite file in the data directory (its own connection, so the table survives restarts), else
     * in memory.
     */
    static UsageStore usageStore(TenancyConfig tenancy) {
        if (tenancy.databaseUrl() != null) {
            return new JdbcUsageStore(Database.open(tenancy.databaseUrl(), null, null));
        }
        return tenancy.dataDir().<UsageStore>map(dir -> new JdbcUsageStore(Database.sqlite(dir)))
                .orElseGet(InMemoryUsageStore::new);
    }

    /** {@code api} with {@code /metrics} and {@code /v1/usage} in front and every request observed. */
    public Handler wrap(Handler api) {
        return wrap(api, UsageAccess.OPEN);
    }

    /** As {@link #wrap(Handler)}, with {@code /v1/usage} readable as {@code access} says. */
    public Handler wrap(Handler api, UsageAccess access) {
        return new ObservingHandler(new OperationsHandler(api, registry, usage, clock, access), current, ROUTES,
                gatewayMetrics, tracer, log, nanoTime);
    }

    /** Hears every call the inference service starts. */
    public InferenceListener inferenceListener() {
        return calls;
    }

    /** The step listener of each model's engine ({@code vllm:iteration_tokens_total}). */
    public Function<String, StepListener> stepListeners() {
        return engineMetrics::steps;
    }

    /** Hears the routing stage's upstream attempts and circuit breakers. */
    public UpstreamListener upstreamListener() {
        return upstreamMetrics;
    }

    /** Exports the API-key cache's hits, misses and evictions ({@code cache="api_key"}). */
    public void bindKeyCache(Authenticator authenticator) {
        cacheMetrics.bind("api_key", () -> {
            Authenticator.CacheStats s = authenticator.cacheStats();
            return new CacheMetrics.Counts(s.hits(), s.misses(), s.evictions());
        });
    }

    /**
     * Registers the per-model gauges (engine state, model state, load time) of {@code models}, and
     * their prefix caches summed as {@code cache="prefix"}.
     */
    public void bindModels(ModelRegistry models) {
        ModelGauges.bind(registry, models);
        cacheMetrics.bind("prefix", () -> prefixCounts(models));
        models.all().forEach(m -> gatewayMetrics.expectRejects(m.id(), CallObserver.REJECT_CODES));
    }

    private static CacheMetrics.Counts prefixCounts(ModelRegistry models) {
        long queries = 0;
        long hits = 0;
        long evictions = 0;
        for (var m : models.all()) {
            EngineStats s = m.loaded().map(l -> l.engine().stats()).orElse(EngineStats.IDLE);
            queries += s.prefixCacheQueries();
            hits += s.prefixCacheHits();
            evictions += s.prefixCacheEvictions();
        }
        return new CacheMetrics.Counts(hits, queries - hits, evictions);
    }

    /** Writes a lifecycle event ({@code server_started}, {@code model_ready}, ...) to the log. */
    public void lifecycle(String event, Map<String, ?> fields) {
        log.log(LogLevel.INFO, event, fields);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public UsageStore usage() {
        return usage;
    }

    /** Flushes buffered spans, closes the meter registry and the usage store. */
    @Override
    public void close() {
        try {
            TracingSetup.shutdown(openTelemetry);
            registry.close();
        } finally {
            usage.close();
        }
    }
}
