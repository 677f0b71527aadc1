package dev.strata.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.bench.gateway.OverheadRun.Target;
import dev.strata.bench.gateway.OverheadTable.RateRow;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.GgufModelLoader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The harness end to end at one low rate for about a second: fake upstream, an in-process Strata with one
 * route to it, the open-loop run and the table (no Portkey: tests never need the network).
 */
class OverheadRunTest {
    private static final String BODY = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void everyRequestIsAnsweredDirectAndThroughStrataAtTheOfferedRate() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start()) {
            String base = "http://127.0.0.1:" + upstream.port() + "/v1";
            ObjectNode section = (ObjectNode) new ObjectMapper().readTree("""
                    {"upstreams":[{"name":"fake","base_url":"%s","max_connections":64}],
                     "routes":[{"name":"fast","targets":["fake"]}]}""".formatted(base));
            Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf");
            ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5),
                    new Limits(1 << 20, 256, 1, 1), Optional.empty());
            StrataConfig config = new StrataConfig(server, List.of(new ModelConfig("stories260K", model, 1, 0,
                    SamplingDefaults.NONE)), new ObserveConfig("warn", false));
            Gateway gateway = new Gateway(config, new GgufModelLoader(4, 64), Clock.systemUTC(), "test",
                    Observability.fromEnvironment(config, Map.of(), Clock.systemUTC()), () -> section);
            gateway.start();
            try {
                InetSocketAddress direct = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
                InetSocketAddress strata = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        gateway.httpUri().getPort());
                awaitReady(strata);
                HttpResponse<String> one = firstAnswer(gateway.httpUri().resolve("/v1/chat/completions"));
                assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
                OverheadRun run = new OverheadRun(
                        new Target("direct", direct, KeepAliveClient.post(direct, "/v1/chat/completions", Map.of(), BODY),
                                Optional.empty()),
                        List.of(new Target("strata", strata,
                                KeepAliveClient.post(strata, "/v1/chat/completions", Map.of(), BODY), Optional.empty())),
                        Optional.empty(), 1.0, Duration.ofSeconds(10), 16);
                OverheadTable table = run.run(List.of(50));

                RateRow row = table.rows().getFirst();
                assertThat(row.direct().requests()).isEqualTo(50);
                assertThat(row.direct().errors()).isZero();
                var strataRun = row.gateways().get("strata").run();
                assertThat(strataRun.requests()).isEqualTo(50);
                assertThat(strataRun.errors()).isZero();
                // all 50 answered within the second plus at most the grace period (a busy test machine may be slow)
                assertThat(strataRun.achievedRps()).isGreaterThan(50 / 11.0).isLessThanOrEqualTo(51.0);
                assertThat(row.addedP50Micros("strata")).isPresent();
                assertThat(row.gateways().get("strata").cpuMicrosPerRequest()).isEmpty(); // same process
                ObjectNode json = table.toJson(new ObjectMapper());
                assertThat(json.get("rates").get(0).get("strata").get("errors").asInt()).isZero();
                assertThat(json.get("max_sustained").has("strata")).isTrue();
            } finally {
                gateway.stop();
            }
        }
    }

    /** Polls /health/ready (bounded): the run measures a ready server, as the benchmark does. */
    private static void awaitReady(InetSocketAddress address) throws Exception {
        try (KeepAliveClient probe = new KeepAliveClient(address, KeepAliveClient.get(address, "/health/ready"), 1,
                Duration.ofSeconds(5))) {
            for (int i = 0; i < 600 && probe.send() != 200; i++) {
                Thread.sleep(100);
            }
        }
    }

    private static HttpResponse<String> firstAnswer(URI uri) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
