package dev.strata.bench;

import dev.strata.bench.http.HttpBenchmark;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./strata bench http}: throughput and latency of {@code /v1/completions} with
 * {@code max_tokens: 1}, against an in-process server on the demo model (or {@code --url}).
 */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = "Requests/s and latency of /v1/completions (max_tokens 1), and the HTTP layer's own overhead.")
final class HttpCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, description = "GGUF file to serve (default: the demo model)")
    Path model;

    @Option(names = "--url", description = "benchmark a running server instead (e.g. http://127.0.0.1:8080)")
    URI url;

    @Option(names = "--model-id", description = "model id with --url (default: stories260K)", defaultValue = "stories260K")
    String modelId;

    @Option(names = "--requests", defaultValue = "2000", description = "timed requests per run (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--warmup", defaultValue = "500", description = "untimed requests first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,8",
            description = "closed-loop clients; one run per value (default: ${DEFAULT-VALUE})")
    List<Integer> concurrency;

    @Option(names = "--threads", description = "engine compute threads (default: 1)", defaultValue = "1")
    int threads;

    @Override
    public Integer call() throws Exception {
        Gateway gateway = null;
        URI base = url;
        String id = modelId;
        if (base == null) {
            Path file = model != null ? model : Path.of(System.getenv().getOrDefault("STRATA_HOME", "."),
                    "models", "stories260K.gguf");
            id = ModelConfig.idOf(file);
            ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5),
                    new Limits(1 << 20, 1024, 16, 1), Optional.empty());
            gateway = new Gateway(new StrataConfig(server, List.of(new ModelConfig(id, file, threads, 0,
                    SamplingDefaults.NONE))), new GgufModelLoader(32, 512), Clock.systemUTC(), "bench");
            gateway.start();
            base = gateway.httpUri();
        }
        try {
            System.out.printf(Locale.ROOT, "strata bench http: POST %s/v1/completions, model %s, max_tokens 1, "
                    + "%d requests after %d warm-up, %d cores%n", base, id, requests, warmup,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%-11s %10s %12s %12s %14s %14s %6s%n", "concurrency", "req/s",
                    "p50 latency", "p99 latency", "p50 overhead", "p50 engine", "errors");
            for (int c : concurrency) {
                HttpBenchmark.Result r = HttpBenchmark.run(new HttpBenchmark.Config(base, id, requests, warmup, c));
                System.out.printf(Locale.ROOT, "%-11d %10.0f %10.0f µs %10.0f µs %12.0f µs %12.0f µs %6d%n", c,
                        r.requestsPerSecond(), HttpBenchmark.Result.percentile(r.latencyNanos(), 50) / 1e3,
                        HttpBenchmark.Result.percentile(r.latencyNanos(), 99) / 1e3,
                        HttpBenchmark.Result.percentile(r.overheadMicros(), 50),
                        HttpBenchmark.Result.percentile(r.engineMicros(), 50), r.errors());
            }
            System.out.println("overhead = server time from request headers read to response written, minus engine "
                    + "time (submit to last event) and time blocked reading the body; latency is client-side (JDK HTTP client).");
        } finally {
            if (gateway != null) {
                gateway.stop();
            }
        }
        return 0;
    }
}
