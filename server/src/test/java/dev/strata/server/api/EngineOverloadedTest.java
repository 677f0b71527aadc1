package dev.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.ServingOptions;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo model served with one running sequence and one waiting slot ({@code max_num_seqs: 1},
 * {@code max_waiting: 1}): a burst of concurrent requests must be partly refused by the engine with
 * 503, OpenAI's error object ({@code code: engine_overloaded}) and {@code Retry-After}, while the rest
 * complete normally.
 */
class EngineOverloadedTest {
    private static final String MODEL = "stories260K";
    private static final int BURST = 8;
    private static final int MAX_ROUNDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Gateway gateway;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5), Limits.DEFAULTS,
                Optional.empty());
        ModelConfig m = new ModelConfig(MODEL, model, 1, 0, SamplingDefaults.NONE, ModelPrice.FREE,
                new ServingOptions(0, null, 1, 64, 1));
        gateway = new Gateway(new StrataConfig(server, List.of(m), ObserveConfig.DEFAULTS), new GgufModelLoader(4, 64),
                Clock.systemUTC(), "test");
        gateway.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.stop();
    }

    private static HttpRequest request() {
        String body = """
                {"model":"%s","prompt":"Once upon a time","max_tokens":128,"temperature":0}""".formatted(MODEL);
        return HttpRequest.newBuilder(gateway.httpUri().resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void aBurstBeyondTheQueueGets503WithRetryAfterAndTheRestSucceed() throws Exception {
        List<HttpResponse<String>> refused = new ArrayList<>();
        List<HttpResponse<String>> served = new ArrayList<>();
        // Bounded: each round sends BURST requests at once; one runs and one waits, so a round
        // normally refuses most of them. Rounds repeat only if scheduling happened to serialise a burst.
        for (int round = 0; round < MAX_ROUNDS && (refused.isEmpty() || served.isEmpty()); round++) {
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                burst.add(client.sendAsync(request(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                HttpResponse<String> r = f.join();
                assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
                (r.statusCode() == 200 ? served : refused).add(r);
            }
        }
        assertThat(served).as("some requests complete").isNotEmpty();
        assertThat(refused).as("some requests are refused").isNotEmpty();
        for (HttpResponse<String> r : served) {
            assertThat(JSON.readTree(r.body()).get("choices").get(0).get("text").asText()).isNotEmpty();
        }
        for (HttpResponse<String> r : refused) {
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("engine_overloaded");
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            assertThat(error.get("message").asText()).isNotBlank();
            assertThat(error.has("param")).isTrue();
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        }
    }
}
