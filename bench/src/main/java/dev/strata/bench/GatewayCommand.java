package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.strata.bench.gateway.GatewayOverheadBenchmark;
import dev.strata.bench.gateway.GatewayOverheadBenchmark.Run;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.observe.Observability;
import dev.strata.server.registry.GgufModelLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./strata bench gateway}: added latency of one Strata route over calling a fast fake upstream
 * directly, open loop at fixed rates, direct and through Strata side by side (one request to each per tick). The Portkey
 * comparison of issue 9 is not part of this run yet.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Latency Strata's routing adds over a direct call to a fast upstream (open loop, loopback).")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--rates", split = ",", defaultValue = "200,500,1000,2000,5000",
            description = "offered requests/s (default: ${DEFAULT-VALUE})")
    List<Integer> rates;

    @Option(names = "--seconds", defaultValue = "5", description = "seconds per rate and target (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        HttpServer upstream = GatewayOverheadBenchmark.fakeUpstream();
        URI upstreamBase = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1");
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode section = (ObjectNode) mapper.readTree("""
                {"upstreams":[{"name":"fake","base_url":"%s","max_connections":4096}],
                 "routes":[{"name":"fast","targets":["fake"]}]}""".formatted(upstreamBase));
        Path file = Path.of(System.getenv().getOrDefault("STRATA_HOME", "."), "models", "stories260K.gguf");
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5),
                new Limits(1 << 20, 4096, 1, 1), Optional.empty());
        StrataConfig config = new StrataConfig(server, List.of(new ModelConfig("stories260K", file, 1, 0,
                SamplingDefaults.NONE)), new dev.strata.server.config.ObserveConfig("warn", false));
        Gateway gateway = new Gateway(config, new GgufModelLoader(32, 512), Clock.systemUTC(), "bench",
                Observability.fromEnvironment(config, Map.of(), Clock.systemUTC()), () -> section);
        gateway.start();
        String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}";
        URI direct = URI.create(upstreamBase + "/chat/completions");
        URI strata = gateway.httpUri().resolve("/v1/chat/completions");
        ObjectNode out = mapper.createObjectNode();
        var table = out.putArray("rates");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            GatewayOverheadBenchmark.run(client, List.of(direct, strata), body, 200, 2); // warm-up
            GatewayOverheadBenchmark.cpuMicrosPerRequest(client, direct, body, 2_000); // warm-up
            GatewayOverheadBenchmark.cpuMicrosPerRequest(client, strata, body, 2_000);
            double directCpu = GatewayOverheadBenchmark.cpuMicrosPerRequest(client, direct, body, 5_000);
            double strataCpu = GatewayOverheadBenchmark.cpuMicrosPerRequest(client, strata, body, 5_000);
            out.put("strata_added_cpu_us_per_request", Math.round(strataCpu - directCpu));
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            out.put("load_average_1m", load);
            if (!json) {
                System.out.printf(Locale.ROOT, "load average (1 min) at start: %.2f on %d cores%n", load,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "CPU per request (sequential, 5000 each): direct %.0f µs, through "
                        + "Strata %.0f µs, added %.0f µs%n", directCpu, strataCpu, strataCpu - directCpu);
                System.out.printf("%8s %10s %10s %10s %12s %12s %8s%n", "rate", "direct p50", "direct p99",
                        "strata rps", "added p50 µs", "added p99 µs", "errors");
            }
            for (int rate : rates) {
                List<Run> both = GatewayOverheadBenchmark.run(client, List.of(direct, strata), body, rate, seconds);
                Run d = both.get(0);
                Run s = both.get(1);
                ObjectNode row = table.addObject().put("rate", rate);
                row.putObject("direct").put("p50_us", d.p50Micros()).put("p99_us", d.p99Micros())
                        .put("achieved_rps", d.achievedRps()).put("errors", d.errors());
                row.putObject("strata").put("added_p50_us", s.p50Micros() - d.p50Micros())
                        .put("added_p99_us", s.p99Micros() - d.p99Micros()).put("achieved_rps", s.achievedRps())
                        .put("errors", s.errors());
                if (!json) {
                    System.out.printf(Locale.ROOT, "%8d %10d %10d %10.0f %12d %12d %8d%n", rate, d.p50Micros(),
                            d.p99Micros(), s.achievedRps(), s.p50Micros() - d.p50Micros(),
                            s.p99Micros() - d.p99Micros(), s.errors() + d.errors());
                }
            }
        } finally {
            gateway.stop();
            upstream.stop(0);
        }
        if (json) {
            System.out.println(mapper.writeValueAsString(out));
        }
        return 0;
    }
}
