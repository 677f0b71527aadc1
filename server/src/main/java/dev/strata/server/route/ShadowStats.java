package dev.strata.server.route;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The running comparison of one route's primary and shadow answers. Thread-safe. */
final class ShadowStats {
    /** One mirrored request. Latencies in milliseconds, lengths in characters. */
    record Sample(long primaryMillis, long shadowMillis, int primaryChars, int shadowChars, double similarity,
            String error) {}

    /** What {@code GET /admin/shadow/{route}} shows. */
    record Summary(String route, String target, long mirrored, long failed, long dropped, double meanPrimaryMillis,
            double meanShadowMillis, double meanPrimaryChars, double meanShadowChars, double meanSimilarity,
            List<Sample> recent) {}

    private static final int RECENT = 20;

    private final String target;
    private final Deque<Sample> recent = new ArrayDeque<>();
    private long mirrored;
    private long failed;
    private long dropped;
    private long compared;
    private double primaryMillis;
    private double shadowMillis;
    private double primaryChars;
    private double shadowChars;
    private double similarity;

    ShadowStats(String target) {
        this.target = target;
    }

    synchronized void record(Sample s) {
        mirrored++;
        if (s.error() != null) {
            failed++;
        } else {
            compared++;
            primaryMillis += s.primaryMillis();
            shadowMillis += s.shadowMillis();
            primaryChars += s.primaryChars();
            shadowChars += s.shadowChars();
            similarity += s.similarity();
        }
        recent.addFirst(s);
        if (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    synchronized void dropped() {
        dropped++;
    }

    synchronized Summary summary(String route) {
        double n = Math.max(1, compared);
        return new Summary(route, target, mirrored, failed, dropped, primaryMillis / n, shadowMillis / n,
                primaryChars / n, shadowChars / n, similarity / n, List.copyOf(recent));
    }
}
