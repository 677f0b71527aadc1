package dev.strata.bench.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop load: {@code concurrency} clients each send their next request as soon as the last
 * one answered, until {@code requests} have completed (after {@code warmup} untimed ones).
 */
public final class HttpBenchmark {

    /** What to run. */
    public record Config(URI base, String model, int requests, int warmup, int concurrency) {
        public Config {
            if (requests < 1 || warmup < 0 || concurrency < 1) {
                throw new IllegalArgumentException("requests >= 1, warmup >= 0, concurrency >= 1");
            }
        }
    }

    /** Nanosecond/microsecond samples, one per timed request, and the wall time of the run. */
    public record Result(int requests, int concurrency, long wallNanos, long[] latencyNanos, long[] overheadMicros,
            long[] engineMicros, int errors) {
        public double requestsPerSecond() {
            return requests / (wallNanos / 1e9);
        }

        public static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    private HttpBenchmark() {}

    public static Result run(Config config) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(config.base().resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","prompt":"Once upon a time","max_tokens":1,"temperature":0}"""
                        .formatted(config.model()))).build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < config.warmup(); i++) {
                client.send(request, HttpResponse.BodyHandlers.ofString());
            }
            long[] latency = new long[config.requests()];
            long[] overhead = new long[config.requests()];
            long[] engine = new long[config.requests()];
            AtomicInteger next = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            long start = System.nanoTime();
            Future<?>[] workers = new Future<?>[config.concurrency()];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < latency.length; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        latency[i] = System.nanoTime() - t0;
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                        overhead[i] = r.headers().firstValueAsLong("x-strata-overhead-micros").orElse(-1);
                        engine[i] = r.headers().firstValueAsLong("x-strata-engine-micros").orElse(-1);
                    }
                    return null;
                });
            }
            for (Future<?> w : workers) {
                w.get();
            }
            long wall = System.nanoTime() - start;
            Arrays.sort(latency);
            Arrays.sort(overhead);
            Arrays.sort(engine);
            return new Result(config.requests(), config.concurrency(), wall, latency, overhead, engine, errors.get());
        }
    }
}
