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
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests are issued on a fixed schedule whatever the responses do (so queueing
 * shows), and each latency is measured from its scheduled send time (no coordinated omission).
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

    /** Sends {@code rate} requests/s for {@code seconds} to {@code uri}, open loop. */
    public static Run run(HttpClient client, URI uri, String body, double rate, double seconds)
            throws InterruptedException {
        int total = (int) (rate * seconds);
        long[] latencies = new long[total];
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        long intervalNanos = (long) (1e9 / rate);
        long start = System.nanoTime();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long scheduled = start + i * intervalNanos;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int index = i;
                threads.execute(() -> {
                    try {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                    }
                    latencies[index] = System.nanoTime() - scheduled;
                    done.countDown();
                });
            }
            done.await();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        return new Run(rate, total / elapsed, latencies[total / 2] / 1_000, latencies[(int) (total * 0.99)] / 1_000,
                errors.get());
    }
}
