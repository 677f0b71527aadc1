package dev.strata.bench.serve;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Closed-loop load: {@code concurrency} clients on virtual threads, each sending
 * {@code requestsPerClient} requests one after the other, all starting together.
 */
final class ServeLoad {
    /** Runs request {@code index} (distinct per client and round) and returns its timing. */
    @FunctionalInterface
    interface Client {
        LoadResult.RequestTiming run(int index) throws Exception;
    }

    private ServeLoad() {}

    static LoadResult run(int concurrency, int requestsPerClient, Client client) throws InterruptedException {
        List<LoadResult.RequestTiming> timings = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            int id = c;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    for (int r = 0; r < requestsPerClient; r++) {
                        timings.add(client.run(id * requestsPerClient + r));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long wall = System.nanoTime() - t0;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("a client failed: " + errors.getFirst(), errors.getFirst());
        }
        return LoadResult.of(concurrency, timings, wall);
    }
}
