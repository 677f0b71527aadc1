package dev.strata.bench.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests are issued on a fixed schedule whatever the responses do (so queueing
 * shows), and each latency is measured from its scheduled send time (no coordinated omission).
 * Targets compared in one run are sent their requests side by side, tick by tick.
 */
public final class GatewayOverheadBenchmark {
    /** Latencies of one run at one rate against one target. */
    public record Run(double offeredRps, double achievedRps, long p50Micros, long p99Micros, int errors) {}

    private static final byte[] ANSWER = ("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"fake\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
            .getBytes(StandardCharsets.UTF_8);

    private GatewayOverheadBenchmark() {
    }

    /** A fast fake OpenAI upstream on 127.0.0.1: a fixed answer, no work. */
    public static HttpServer fakeUpstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().add("content-type", "application/json");
                ex.sendResponseHeaders(200, ANSWER.length);
                ex.getResponseBody().write(ANSWER);
            }
        });
        server.start();
        return server;
    }

    /**
     * Sends {@code rate} requests/s for {@code seconds} to each of {@code targets}, open loop: at each
     * tick one request goes to every target at once, so all of them see the same machine load (on a
     * shared, noisy host the added latency is then a difference between neighbours, not between phases
     * seconds apart).
     */
    public static List<Run> run(HttpClient client, List<URI> targets, String body, double rate, double seconds)
            throws InterruptedException {
        int total = (int) (rate * seconds);
        int n = targets.size();
        long[][] latencies = new long[n][total];
        AtomicInteger[] errors = new AtomicInteger[n];
        long[] lastDone = new long[n];
        for (int t = 0; t < n; t++) {
            errors[t] = new AtomicInteger();
        }
        CountDownLatch done = new CountDownLatch(total * n);
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long scheduled = start + i * intervalNanos;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                for (int t = 0; t < n; t++) {
                    int index = i;
                    int target = (t + i) % n; // alternate which target goes first
                    threads.execute(() -> {
                        try {
                            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(targets.get(target))
                                    .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() != 200) {
                                errors[target].incrementAndGet();
                            }
                        } catch (IOException | InterruptedException e) {
                            errors[target].incrementAndGet();
                        }
                        long now = System.nanoTime();
                        latencies[target][index] = now - scheduled;
                        synchronized (lastDone) {
                            lastDone[target] = Math.max(lastDone[target], now);
                        }
                        done.countDown();
                    });
                }
            }
            done.await();
        }
        List<Run> runs = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            double elapsed = (lastDone[t] - start) / 1e9;
            long[] l = latencies[t];
            Arrays.sort(l);
            runs.add(new Run(rate, total / elapsed, l[total / 2] / 1_000, l[(int) (total * 0.99)] / 1_000,
                    errors[t].get()));
        }
        return runs;
    }

    /**
     * CPU this process spends per request to {@code uri}: {@code count} requests one after another
     * (closed loop), process CPU time before and after. Unlike latency this hardly moves with other
     * processes' load, so the difference between a direct and a proxied run is the proxy's own cost
     * per request (client, upstream and proxy share this process; the client and upstream part cancels).
     */
    public static double cpuMicrosPerRequest(HttpClient client, URI uri, String body, int count)
            throws IOException, InterruptedException {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long before = os.getProcessCpuTime();
        for (int i = 0; i < count; i++) {
            client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        return (os.getProcessCpuTime() - before) / 1e3 / count;
    }
}
