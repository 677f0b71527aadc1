package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.backend.ApiKeys;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.eclipse.jetty.server.Handler;

/**
 * The routing stage as a server assembles it: production collaborators (HTTP upstreams, the system
 * clock, a health-check thread, a bounded shadow pool of virtual threads that drops mirrors when 256
 * are waiting) around one {@link Routing}, and the {@link RouteHandler} hook.
 */
public final class RouteStage implements AutoCloseable {
    private final ScheduledExecutorService scheduler;
    private final ThreadPoolExecutor shadowPool;
    private final Routing routing;
    private final ObjectMapper json;

    public RouteStage(Supplier<JsonNode> source, Clock clock, Map<String, String> environment, ObjectMapper json) {
        this.json = json;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("strata-health-", 0).daemon().factory());
        this.shadowPool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                Thread.ofVirtual().name("strata-shadow-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        this.routing = new Routing(source, BackendFactory.http(new ApiKeys(environment), json, clock), clock,
                System::nanoTime, Thread::sleep, RandomGenerator.of("L64X128MixRandom"), scheduler, shadowPool, json);
    }

    /** {@code next} with routed chat completions and the admin endpoints in front of it. */
    public Handler wrap(Handler next, Predicate<String> servedLocally, long maxBodyBytes) {
        return new RouteHandler(routing, servedLocally, json, maxBodyBytes, next);
    }

    public Routing routing() {
        return routing;
    }

    @Override
    public void close() {
        routing.close();
        scheduler.shutdownNow();
        shadowPool.shutdownNow();
    }
}
