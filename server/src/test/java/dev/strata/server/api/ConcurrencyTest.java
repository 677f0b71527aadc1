package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.testengine.TestGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 32 clients stream at once from the demo model; each must get exactly the text it gets alone
 * (greedy decoding), so batching requests together never mixes or perturbs their outputs.
 */
class ConcurrencyTest {
    private static final int CLIENTS = 32;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestGateway server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestGateway.demo(Limits.DEFAULTS);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static String prompt(int i) {
        String[] who = {"a little girl named Lily", "a big dog", "a boy called Tom", "a tiny bird", "an old man",
            "a happy cat", "a red ball", "a sad fish"};
        String[] did = {"went to the park.", "saw a tree.", "was very hungry.", "wanted to play."};
        return "Once upon a time, there was " + who[i % who.length] + ". One day, it " + did[i / who.length];
    }

    private static HttpRequest request(int i, boolean stream) {
        String body = """
                {"model":"%s","prompt":"%s","max_tokens":24,"temperature":0,"stream":%s}"""
                .formatted(TestGateway.DEMO_ID, prompt(i), stream);
        return HttpRequest.newBuilder(server.uri().resolve("/v1/completions")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String streamedText(String sse) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String event : sse.split("\n\n")) {
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                text.append(JSON.readTree(data).get("choices").get(0).get("text").asText());
            }
        }
        return text.toString();
    }

    @Test
    void simultaneousStreamsEqualSingleRequests() throws Exception {
        List<String> alone = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            HttpResponse<String> r = client.send(request(i, false), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            alone.add(body.get("choices").get(0).get("text").asText());
        }
        assertThat(alone.stream().distinct().count()).as("prompts give different answers").isGreaterThanOrEqualTo(CLIENTS / 4);

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<String>> together = new ArrayList<>();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < CLIENTS; i++) {
            int index = i;
            together.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    HttpResponse<String> r = client.send(request(index, true), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    return streamedText(r.body());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
        }
        go.countDown();
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(together.get(i).get(120, TimeUnit.SECONDS)).as("client %d", i).isEqualTo(alone.get(i));
        }
        threads.close();
    }
}
