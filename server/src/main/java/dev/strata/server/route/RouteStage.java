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
    private final RouteObserver observer;
    private final dev.strata.server.backend.Hops hops = new dev.strata.server.backend.Hops();
    private final dev.strata.server.backend.ClientBody clientBody = new dev.strata.server.backend.ClientBody();
    private static final System.Logger LOG = System.getLogger(RouteStage.class.getName());
    private java.nio.file.WatchService watcher;

    /** @param local makes the backend of a locally served model: (upstream name, model id) */
    public RouteStage(Supplier<JsonNode> source, Clock clock, Map<String, String> environment, ObjectMapper json,
            java.util.function.BiFunction<String, String, dev.strata.server.backend.Backend> local) {
        this(source, clock, environment, json, local, UpstreamListener.NONE, RouteObserver.NONE);
    }

    /** @param upstreams hears every upstream attempt and circuit breaker (metrics) */
    public RouteStage(Supplier<JsonNode> source, Clock clock, Map<String, String> environment, ObjectMapper json,
            java.util.function.BiFunction<String, String, dev.strata.server.backend.Backend> local,
            UpstreamListener upstreams) {
        this(source, clock, environment, json, local, upstreams, RouteObserver.NONE);
    }

    /**
     * @param upstreams hears every upstream attempt and circuit breaker (metrics)
     * @param observer  told which route, tier and target answered each routed request
     */
    public RouteStage(Supplier<JsonNode> source, Clock clock, Map<String, String> environment, ObjectMapper json,
            java.util.function.BiFunction<String, String, dev.strata.server.backend.Backend> local,
            UpstreamListener upstreams, RouteObserver observer) {
        this.json = json;
        this.observer = observer;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("strata-health-", 0).daemon().factory());
        this.shadowPool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                Thread.ofVirtual().name("strata-shadow-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        this.routing = new Routing(source, BackendFactory.http(new ApiKeys(environment), json, clock, local, hops,
                clientBody), clock,
                System::nanoTime, Thread::sleep, RandomGenerator.of("L64X128MixRandom"), scheduler, mirror -> {
                    int hop = hops.current(); // mirrors run on the shadow pool: carry the hop count
                    shadowPool.execute(() -> hops.bind(hop, () -> {
                        mirror.run();
                        return null;
                    }));
                }, json, upstreams,
                new Hedge(Thread.ofVirtual().name("strata-hedge-", 0).factory(), attempt -> {
                    int hop = hops.current(); // hedged attempts run on their own threads: carry the hop count
                    return () -> hops.bind(hop, () -> {
                        attempt.run();
                        return null;
                    });
                }));
        if (source instanceof RoutesSource file) {
            watch(file.file());
        }
    }

    /**
     * Reloads whenever {@code file} changes (its directory is watched, so editors that replace the file
     * are seen). A bad config is logged and refused; the current one keeps serving.
     */
    private void watch(java.nio.file.Path file) {
        java.nio.file.Path target = file.toAbsolutePath();
        try {
            java.nio.file.WatchService watcher = target.getFileSystem().newWatchService();
            target.getParent().register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY,
                    java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            this.watcher = watcher;
            Thread.ofPlatform().name("strata-config-watch").daemon().start(() -> {
                try {
                    while (true) {
                        java.nio.file.WatchKey key = watcher.take();
                        boolean ours = key.pollEvents().stream()
                                .anyMatch(e -> target.getFileName().equals(e.context()));
                        key.reset();
                        if (ours && settled(watcher, target)) {
                            try {
                                routing.reload();
                            } catch (RuntimeException e) {
                                LOG.log(System.Logger.Level.WARNING, "gateway config not reloaded: " + e.getMessage());
                            }
                        }
                    }
                } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                    // closed with the stage
                }
            });
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch " + target + "; reload with POST /admin/reload", e);
        }
    }

    /**
     * Waits until the directory has been quiet for {@link #SETTLE_MILLIS}, at most 2 s (a writer truncates, then
     * writes: reloading in between would read an empty file as "no routes"), then says whether the
     * file has content to reload. An empty file is skipped; its next write brings another event.
     */
    private static boolean settled(java.nio.file.WatchService watcher, java.nio.file.Path target)
            throws InterruptedException {
        java.nio.file.WatchKey more;
        for (int waits = 0; waits < 20 && (more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null; waits++) {
            more.pollEvents();
            more.reset();
        }
        try {
            return java.nio.file.Files.size(target) > 0;
        } catch (java.io.IOException e) {
            return false; // replaced and not there yet: its creation brings another event
        }
    }

    /** Quiet time after the last change before a reload. */
    private static final long SETTLE_MILLIS = 100;

    /** {@code next} with routed chat completions and the admin endpoints in front of it. */
    public Handler wrap(Handler next, Predicate<String> servedLocally, long maxBodyBytes) {
        return wrap(next, servedLocally, maxBodyBytes, RouteGuard.OPEN);
    }

    /** As {@link #wrap(Handler, Predicate, long)}, with routed requests admitted and settled by {@code guard}. */
    public Handler wrap(Handler next, Predicate<String> servedLocally, long maxBodyBytes, RouteGuard guard) {
        return new RouteHandler(routing, servedLocally, json, maxBodyBytes, guard, hops, clientBody, observer, next);
    }

    public Routing routing() {
        return routing;
    }

    @Override
    public void close() {
        routing.close();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the config watcher", e);
            }
        }
        scheduler.shutdownNow();
        shadowPool.shutdownNow();
    }
}
