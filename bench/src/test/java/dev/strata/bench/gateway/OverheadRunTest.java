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
                OverheadRun run = new OverheadRun(
                        new Target("direct", direct, KeepAliveClient.post(direct, "/v1/chat/completions", Map.of(), BODY),
                                Optional.empty()),
                        List.of(new Target("strata", strata,
                                KeepAliveClient.post(strata, "/v1/chat/completions", Map.of(), BODY), Optional.empty())),
                        Optional.empty(), 1.0, Duration.ofSeconds(5), 16);
                OverheadTable table = run.run(List.of(50));

                RateRow row = table.rows().getFirst();
                assertThat(row.direct().requests()).isEqualTo(50);
                assertThat(row.direct().errors()).isZero();
                var strataRun = row.gateways().get("strata").run();
                assertThat(strataRun.requests()).isEqualTo(50);
                assertThat(strataRun.errors()).isZero();
                // all 50 answered within the second plus at most the grace period
                assertThat(strataRun.achievedRps()).isGreaterThan(50 / 6.0).isLessThanOrEqualTo(51.0);
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
}
