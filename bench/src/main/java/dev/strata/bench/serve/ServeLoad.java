package dev.strata.bench.serve;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Closed-loop load: {@code concurrency} clients, each sending {@code requestsPerClient} requests one
 * after the other, all starting together.
 *
 * <p>Clients are platform threads: llama.cpp's client ({@code de.kherud:llama}) blocks inside native
 * code while it waits for the next token, which pins a virtual thread to its carrier. With virtual
 * threads only as many peer requests as there are carriers (one per core) were ever in flight, the
 * others had not been sent yet, and their queueing was missing from the peer's TTFT.
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
            threads.add(Thread.ofPlatform().name("client-" + c).start(() -> {
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
