package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.GatewayException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The live routing: the current {@link RouteTable}, swapped atomically by {@link #reload} (a bad
 * config is refused and the old one keeps serving), canary weights set by the admin API (they apply
 * at once and outlive reloads until cleared), the shadow comparisons, and the periodic active health
 * checks of the pools.
 */
public final class Routing implements AutoCloseable {
    private final Supplier<JsonNode> source;
    private final BackendFactory factory;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final ObjectMapper json;
    private final Breakers breakers;
    private final Shadow shadow;
    private final Router router;
    private final AtomicReference<RouteTable> table = new AtomicReference<>();
    private final Map<String, Double> canaryWeights = new ConcurrentHashMap<>();
    private ScheduledFuture<?> healthChecks;

    /**
     * @param source         reads the {@code gateway} section afresh (the config file) on each reload
     * @param scheduler      runs health checks
     * @param shadowExecutor runs shadow calls; a bounded one drops mirrors when full
     */
    public Routing(Supplier<JsonNode> source, BackendFactory factory, Clock clock, LongSupplier nanoClock,
            Sleeper sleeper, RandomGenerator random, ScheduledExecutorService scheduler, Executor shadowExecutor,
            ObjectMapper json) {
        this(source, factory, clock, nanoClock, sleeper, random, scheduler, shadowExecutor, json,
                UpstreamListener.NONE);
    }

    /** @param upstreams hears every upstream attempt and breaker (metrics) */
    public Routing(Supplier<JsonNode> source, BackendFactory factory, Clock clock, LongSupplier nanoClock,
            Sleeper sleeper, RandomGenerator random, ScheduledExecutorService scheduler, Executor shadowExecutor,
            ObjectMapper json, UpstreamListener upstreams) {
        this(source, factory, clock, nanoClock, sleeper, random, scheduler, shadowExecutor, json, upstreams,
                new Hedge(Thread.ofVirtual().name("strata-hedge-", 0).factory(), java.util.function.UnaryOperator
                        .identity()));
    }

    /** @param hedge runs hedged attempts (routes with {@code hedge_after_ms}) */
    Routing(Supplier<JsonNode> source, BackendFactory factory, Clock clock, LongSupplier nanoClock,
            Sleeper sleeper, RandomGenerator random, ScheduledExecutorService scheduler, Executor shadowExecutor,
            ObjectMapper json, Hedge hedge) {
        this(source, factory, clock, nanoClock, sleeper, random, scheduler, shadowExecutor, json,
                UpstreamListener.NONE, hedge);
    }

    /**
     * @param upstreams hears every upstream attempt and breaker (metrics)
     * @param hedge     runs hedged attempts (routes with {@code hedge_after_ms})
     */
    Routing(Supplier<JsonNode> source, BackendFactory factory, Clock clock, LongSupplier nanoClock,
            Sleeper sleeper, RandomGenerator random, ScheduledExecutorService scheduler, Executor shadowExecutor,
            ObjectMapper json, UpstreamListener upstreams, Hedge hedge) {
        this.source = source;
        this.factory = factory;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.json = json;
        this.breakers = new Breakers(RoutesConfig.BreakerSpec.DEFAULTS, clock, upstreams);
        this.shadow = new Shadow(shadowExecutor, nanoClock);
        this.router = new Router(new Fallback(breakers, sleeper, random, nanoClock, upstreams), shadow, random,
                nanoClock, json, hedge);
        reload();
    }

    /**
     * Reads and applies the config. On a bad config throws {@link GatewayException.InvalidConfig} and
     * keeps serving the current table.
     */
    public synchronized RoutesConfig reload() {
        JsonNode section = source.get();
        if (section == null && table.get() != null) {
            // an editor's half-written file reads as empty: never swap the routes for nothing
            throw new GatewayException.InvalidConfig("gateway", "the config file has no gateway section (yet); "
                    + "the current routes keep serving");
        }
        RoutesConfig config = RoutesConfig.parse(section);
        RouteTable next = RouteTable.build(config, factory, table.get(), nanoClock, json);
        breakers.configure(config.breaker());
        table.set(next);
        if (healthChecks != null) {
            healthChecks.cancel(false);
        }
        if (!next.pools.isEmpty()) {
            healthChecks = scheduler.scheduleWithFixedDelay(this::checkHealth, config.healthCheckMillis(),
                    config.healthCheckMillis(), TimeUnit.MILLISECONDS);
        }
        return config;
    }

    /** One round of active health checks over every pool. */
    public void checkHealth() {
        table.get().pools.values().forEach(dev.strata.server.backend.Pool::checkHealth);
    }

    /** The route for a request, or {@code null} when it stays on the local engine. */
    public String select(RequestFeatures features, Predicate<String> servedLocally) {
        return table.get().rules.select(features, servedLocally);
    }

    Router.Served serve(String route, ObjectNode body, RequestFeatures features, Router.StreamOut out)
            throws InterruptedException {
        return router.serve(table.get(), route, body, features, canaryWeights, out);
    }

    /**
     * Sets the canary weight of {@code route} now; {@code null} goes back to the configured weight.
     *
     * @throws GatewayException.NotFound when the route has no canary
     */
    public void canaryWeight(String route, Double weightPercent) {
        RoutesConfig.RouteSpec spec = table.get().routes.get(route);
        if (spec == null || spec.canary() == null) {
            throw new GatewayException.NotFound("route " + route + " has no canary", "route", "not_found");
        }
        if (weightPercent == null) {
            canaryWeights.remove(route);
        } else {
            if (weightPercent < 0 || weightPercent > 100) {
                throw new GatewayException.InvalidRequest("weight_percent must be in [0, 100]", "weight_percent",
                        "invalid_value");
            }
            canaryWeights.put(route, weightPercent);
        }
    }

    /** The weight in force for {@code route}'s canary. */
    public double canaryWeight(String route) {
        RoutesConfig.RouteSpec spec = table.get().routes.get(route);
        return canaryWeights.getOrDefault(route, spec == null || spec.canary() == null ? 0 : spec.canary().weightPercent());
    }

    ShadowStats.Summary shadow(String route) {
        return shadow.summary(route);
    }

    /** Breaker state per target, e.g. {@code {"a": "OPEN"}}. */
    public Map<String, String> breakerStates() {
        return breakers.states();
    }

    RouteTable table() {
        return table.get();
    }

    @Override
    public synchronized void close() {
        if (healthChecks != null) {
            healthChecks.cancel(false);
        }
    }
}
