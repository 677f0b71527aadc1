package dev.strata.bench.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests are issued on a fixed schedule whatever the responses do (so queueing
 * shows), and each latency is measured from its scheduled send time (no coordinated omission).
 * Targets compared in one run are sent their requests side by side, tick by tick.
 */
public final class GatewayOverheadBenchmark {
    /** Marks a request that failed (or had not finished when the run stopped waiting). */
    private static final long FAILED = -1;

    /**
     * Latencies of one run at one rate against one target.
     *
     * @param requests    requests sent
     * @param achievedRps successful answers per second, from the first scheduled send to the last answer
     *                    (at least the scheduled duration)
     * @param errors      non-200 answers, I/O failures and requests still unanswered after the grace period
     */
    public record Run(double offeredRps, int requests, double achievedRps, long p50Micros, long p99Micros,
            int errors) {
        public Run {
            if (requests < 0 || errors < 0 || errors > requests) {
                throw new IllegalArgumentException("bad counts: " + requests + " requests, " + errors + " errors");
            }
        }
    }

    private GatewayOverheadBenchmark() {
    }

    /**
     * Sends {@code rate} requests/s for {@code seconds} to each of {@code targets}, open loop: at each
     * tick one request goes to every target at once, so all of them see the same machine load (on a
     * shared, noisy host the added latency is then a difference between neighbours, not between phases
     * seconds apart). After the last tick it waits at most {@code grace} for stragglers; those still
     * out then count as errors (and fail when the caller closes the clients).
     */
    public static List<Run> run(List<KeepAliveClient> targets, double rate, double seconds, Duration grace)
            throws InterruptedException {
        int total = Math.max(1, (int) (rate * seconds));
        int n = targets.size();
        AtomicLongArray[] latencies = new AtomicLongArray[n];
        AtomicLongArray lastDone = new AtomicLongArray(n);
        for (int t = 0; t < n; t++) {
            latencies[t] = new AtomicLongArray(total);
        }
        CountDownLatch done = new CountDownLatch(total * n);
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        var threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < total; i++) {
                long scheduled = start + i * intervalNanos;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                for (int k = 0; k < n; k++) {
                    int index = i;
                    int target = (k + i) % n; // alternate which target goes first
                    threads.execute(() -> {
                        long latency = FAILED;
                        try {
                            if (targets.get(target).send() == 200) {
                                long now = System.nanoTime();
                                latency = now - scheduled;
                                lastDone.accumulateAndGet(target, now, Math::max);
                            }
                        } catch (IOException | InterruptedException | RuntimeException e) {
                            // counted as an error
                        }
                        latencies[target].set(index, latency);
                        done.countDown();
                    });
                }
            }
            long scheduleEnd = start + (total - 1) * intervalNanos;
            long deadline = Math.max(System.nanoTime(), scheduleEnd) + grace.toNanos();
            done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } finally {
            threads.shutdown(); // stragglers end when the caller closes the clients; not waited for here
        }
        long scheduledNanos = Math.max(1, (total - 1) * intervalNanos);
        List<Run> runs = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            long[] ok = new long[total];
            int count = 0;
            for (int i = 0; i < total; i++) {
                long l = latencies[t].get(i); // 0: not finished yet
                if (l > 0) {
                    ok[count++] = l;
                }
            }
            long[] sorted = Arrays.copyOf(ok, count);
            Arrays.sort(sorted);
            double elapsedSeconds = Math.max(scheduledNanos, lastDone.get(t) - start) / 1e9;
            runs.add(new Run(rate, total, count / elapsedSeconds, percentileMicros(sorted, 0.50),
                    percentileMicros(sorted, 0.99), total - count));
        }
        return runs;
    }

    private static long percentileMicros(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1_000;
    }
}
