package dev.strata.server.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Answers;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Mirrors live requests to a candidate on {@code executor}, at the same time as the live call, and
 * compares the two answers when both are in: lengths, latencies and the Jaccard similarity of their
 * word sets. The live request never waits for, nor sees a failure of, its shadow: the mirror is
 * submitted fire-and-forget, and a full executor drops it (counted).
 */
final class Shadow {
    private final Executor executor;
    private final LongSupplier nanoClock;
    private final Map<String, ShadowStats> byRoute = new ConcurrentHashMap<>();

    Shadow(Executor executor, LongSupplier nanoClock) {
        this.executor = executor;
        this.nanoClock = nanoClock;
    }

    /** Starts the mirror call now; returns the handle the live path completes with its own answer. */
    Mirror start(String route, Backend target, ObjectNode request) {
        ShadowStats stats = byRoute.computeIfAbsent(route, r -> new ShadowStats(target.name()));
        ObjectNode copy = request.deepCopy();
        copy.remove("stream");
        copy.remove("stream_options");
        CompletableFuture<ShadowAnswer> shadow = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                long start = nanoClock.getAsLong();
                try {
                    BackendResult r = target.complete(copy);
                    shadow.complete(new ShadowAnswer(r, nanoClock.getAsLong() - start));
                } catch (RuntimeException e) {
                    shadow.complete(new ShadowAnswer(null, nanoClock.getAsLong() - start));
                }
            });
        } catch (RejectedExecutionException e) {
            stats.dropped();
            return Mirror.NONE;
        }
        return (primary, primaryNanos) -> shadow.thenAccept(s -> stats.record(compare(primary, primaryNanos, s)));
    }

    ShadowStats.Summary summary(String route) {
        ShadowStats stats = byRoute.get(route);
        return stats == null ? null : stats.summary(route);
    }

    private static ShadowStats.Sample compare(ObjectNode primary, long primaryNanos, ShadowAnswer s) {
        String p = Answers.text(primary);
        return switch (s.result()) {
            case BackendResult.Answered a -> {
                String t = Answers.text(a.body());
                yield new ShadowStats.Sample(primaryNanos / 1_000_000, s.nanos() / 1_000_000, p.length(),
                        t.length(), similarity(p, t), null);
            }
            case BackendResult.Failed f -> new ShadowStats.Sample(primaryNanos / 1_000_000, s.nanos() / 1_000_000,
                    p.length(), 0, 0, f.failure().name().toLowerCase(Locale.ROOT));
            case null -> new ShadowStats.Sample(primaryNanos / 1_000_000, s.nanos() / 1_000_000, p.length(), 0, 0,
                    "exception");
        };
    }

    /** Jaccard similarity of the two texts' lower-cased word sets; 1 for two empty texts. */
    static double similarity(String a, String b) {
        Set<String> x = words(a);
        Set<String> y = words(b);
        if (x.isEmpty() && y.isEmpty()) {
            return 1;
        }
        Set<String> union = new HashSet<>(x);
        union.addAll(y);
        x.retainAll(y);
        return (double) x.size() / union.size();
    }

    private static Set<String> words(String s) {
        Set<String> out = new HashSet<>();
        for (String w : s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private record ShadowAnswer(BackendResult result, long nanos) {}

    /** Completed by the live path once its answer is known (or never, when it failed). */
    @FunctionalInterface
    interface Mirror {
        Mirror NONE = (primary, nanos) -> { };

        void primaryDone(ObjectNode primary, long primaryNanos);
    }
}
