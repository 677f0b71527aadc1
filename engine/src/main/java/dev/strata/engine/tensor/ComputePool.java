package dev.strata.engine.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of platform threads, one per core by default, on which kernels run (never on virtual
 * threads). {@link #parallelFor} splits {@code [0, n)} into one contiguous chunk per thread; the
 * calling thread takes a chunk too.
 */
public final class ComputePool implements AutoCloseable {
    /** A unit of parallel work: process indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService executor;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        AtomicInteger counter = new AtomicInteger();
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "strata-compute-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over {@code [0, n)} split across the pool; returns when all chunks are done. */
    public void parallelFor(int n, RangeTask task) {
        int chunks = Math.min(threads, n);
        if (chunks <= 1) {
            task.run(0, n);
            return;
        }
        CountDownLatch done = new CountDownLatch(chunks - 1);
        Future<?>[] futures = new Future<?>[chunks - 1];
        Throwable[] failure = new Throwable[1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            futures[c - 1] = executor.submit(() -> {
                try {
                    task.run(from, to);
                } catch (Throwable t) {
                    synchronized (failure) {
                        failure[0] = t;
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        task.run(0, (int) ((long) n / chunks));
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for compute threads", e);
        }
        synchronized (failure) {
            if (failure[0] instanceof RuntimeException re) {
                throw re;
            }
            if (failure[0] instanceof Error err) {
                throw err;
            }
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
