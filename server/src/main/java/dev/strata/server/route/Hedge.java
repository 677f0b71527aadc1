package dev.strata.server.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.Backend;
import dev.strata.server.backend.BackendResult;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Hedged requests (Dean and Barroso, "The Tail at Scale", CACM 56(2), 2013): when the first attempt
 * has produced nothing after {@code hedge_after_ms} — no answer, or for a stream no first chunk — a
 * second attempt goes to another target, and whichever answers first (or streams its first chunk
 * first) wins; the other is stopped (its sink refuses the next chunk and its thread is interrupted,
 * which closes its connection). The client only ever sees the winner's bytes. When one attempt fails
 * before anything was sent, the other one still decides.
 */
final class Hedge {
    /** The answer or failure, and whether a second attempt was started. */
    record Outcome(BackendResult result, boolean hedged) {}

    private record Finished(int index, BackendResult result) {}

    /** Where the winner's chunks go, told which backend sent them and whether a hedge was started. */
    @FunctionalInterface
    interface Sink {
        boolean accept(Backend from, boolean hedged, ObjectNode chunk);
    }

    private final ThreadFactory threads;
    private final UnaryOperator<Runnable> context;

    /**
     * @param threads runs each attempt (virtual threads)
     * @param context wraps an attempt so it runs with the calling request's context (its hop count);
     *                applied on the calling thread
     */
    Hedge(ThreadFactory threads, UnaryOperator<Runnable> context) {
        this.threads = threads;
        this.context = context;
    }

    /**
     * @param sink where the winner's chunks go for a streaming call, {@code null} for a whole answer
     */
    Outcome run(Backend first, Backend second, long afterNanos, ObjectNode body, Sink sink)
            throws InterruptedException {
        AtomicInteger winner = new AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        Thread[] attempts = new Thread[2];
        attempts[0] = start(0, first, body, sink, winner, started, finished, attempts);
        Finished f = finished.poll(afterNanos, TimeUnit.NANOSECONDS);
        boolean hedged = false;
        int running = 1;
        if (f == null && winner.get() == -1) {
            started.set(true);
            attempts[1] = start(1, second, body, sink, winner, started, finished, attempts);
            hedged = true;
            running = 2;
        }
        BackendResult last = null;
        try {
            while (true) {
                if (f == null) {
                    f = finished.take();
                }
                running--;
                int claimed = winner.get();
                boolean answered = f.result() instanceof BackendResult.Answered;
                if (claimed == f.index() || (claimed == -1 && answered && winner.compareAndSet(-1, f.index()))) {
                    return new Outcome(f.result(), hedged); // the winner finished (answer or failure mid-stream)
                }
                if (claimed == -1) {
                    last = f.result(); // failed before sending anything; a loser's result never counts
                }
                if (running == 0) {
                    return new Outcome(last != null ? last : f.result(), hedged);
                }
                f = null;
            }
        } finally {
            for (Thread t : attempts) {
                if (t != null && t.isAlive()) {
                    t.interrupt();
                }
            }
        }
    }

    private Thread start(int index, Backend backend, ObjectNode body, Sink sink, AtomicInteger winner,
            java.util.concurrent.atomic.AtomicBoolean started, LinkedBlockingQueue<Finished> finished,
            Thread[] attempts) {
        Runnable attempt = () -> {
            BackendResult r = sink == null ? backend.complete(body) : backend.stream(body, chunk -> {
                if (winner.get() == -1 && winner.compareAndSet(-1, index)) {
                    Thread other = attempts[1 - index];
                    if (other != null) {
                        other.interrupt();
                    }
                }
                return winner.get() == index && sink.accept(backend, started.get(), chunk);
            });
            finished.add(new Finished(index, r));
        };
        Thread t = threads.newThread(context.apply(attempt));
        t.start();
        return t;
    }
}
