package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.bench.serve.HttpServeBenchmark;
import dev.strata.bench.serve.LoadResult;
import dev.strata.bench.serve.MetricsAgreement;
import dev.strata.bench.serve.ServeBenchmark;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.server.config.Limits;
import dev.strata.server.config.ModelConfig;
import dev.strata.server.config.ObserveConfig;
import dev.strata.server.config.SamplingDefaults;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.StrataConfig;
import dev.strata.server.gateway.Gateway;
import dev.strata.server.registry.GgufModelLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code ./strata bench serve --http}: serves the model from an in-process Strata server on
 * loopback (request log at {@code warn}, so the output stays the benchmark's), runs the load over
 * HTTP, and prints the levels and the load-versus-{@code /metrics} table.
 */
final class HttpServeRun {
    private final Path model;
    private final int threads;
    private final int maxBatchTokens;

    HttpServeRun(Path model, int threads, int maxBatchTokens) {
        this.model = model;
        this.threads = threads;
        this.maxBatchTokens = maxBatchTokens;
    }

    /** @return 0 when the load and {@code /metrics} agree within 2 %, 1 otherwise */
    int run(ServeBenchmark.Config c, boolean json) throws Exception {
        int maxConcurrency = Arrays.stream(c.concurrency()).max().orElse(1);
        String id = ModelConfig.idOf(model);
        ServerConfig server = new ServerConfig("127.0.0.1", 0, -1, Duration.ofSeconds(5),
                new Limits(1 << 20, Math.max(64, maxConcurrency), 16, 1), Optional.empty());
        StrataConfig config = new StrataConfig(server, List.of(new ModelConfig(id, model, threads, 0,
                SamplingDefaults.NONE)), new ObserveConfig("warn", false));
        Gateway gateway = new Gateway(config, new GgufModelLoader(Math.max(16, maxConcurrency),
                Math.max(maxBatchTokens, Math.max(16, maxConcurrency))), Clock.systemUTC(), "bench");
        try {
            gateway.start();
            Tokenizer tokenizer = gateway.registry().find(id).orElseThrow().loaded().orElseThrow().engine().tokenizer();
            HttpServeBenchmark.Result r = new HttpServeBenchmark(gateway.httpUri(), id).run(tokenizer, c);
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(toJson(c, id, r)));
            } else {
                print(c, id, r);
            }
            return r.agreement().agrees() ? 0 : 1;
        } finally {
            gateway.stop();
        }
    }

    private static void print(ServeBenchmark.Config c, String id, HttpServeBenchmark.Result r) {
        System.out.printf(Locale.ROOT, "%s over HTTP (streamed /v1/completions)  threads %d  prompt %d  gen %d  "
                + "requests/client %d%n", id, c.threads(), c.promptTokens(), c.genTokens(), c.requestsPerClient());
        System.out.println("| conc | engine | tok/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (LoadResult l : r.levels()) {
            ServeCommand.row("strata http", l);
        }
        System.out.println();
        System.out.println("load test vs /metrics (scraped before and after the run):");
        System.out.printf(Locale.ROOT, "%-24s %12s %12s %8s  %s%n", "quantity", "load test", "/metrics", "diff",
                "metric");
        for (MetricsAgreement.Row row : r.agreement().rows()) {
            System.out.printf(Locale.ROOT, "%-24s %12.0f %12.0f %7.2f%%  %s%n", row.quantity(), row.loadTest(),
                    row.metrics(), row.diffPercent(), row.metric());
        }
        System.out.println(r.agreement().agrees() ? "OK: every difference is within "
                + MetricsAgreement.MAX_DIFF_PERCENT + " %" : "DIFFERS: some difference is over "
                + MetricsAgreement.MAX_DIFF_PERCENT + " %");
    }

    private static ObjectNode toJson(ServeBenchmark.Config c, String id, HttpServeBenchmark.Result r) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", c.model().toString());
        root.put("name", id);
        root.put("transport", "http");
        root.put("threads", c.threads());
        root.put("promptTokens", c.promptTokens());
        root.put("genTokens", c.genTokens());
        ArrayNode levels = root.putArray("levels");
        for (LoadResult l : r.levels()) {
            levels.addObject().put("concurrency", l.concurrency()).set("strata", ServeCommand.json(mapper, l));
        }
        ArrayNode rows = root.putArray("metricsAgreement");
        for (MetricsAgreement.Row row : r.agreement().rows()) {
            rows.addObject().put("quantity", row.quantity()).put("loadTest", row.loadTest())
                    .put("metrics", row.metrics()).put("diffPercent", row.diffPercent()).put("metric", row.metric());
        }
        root.put("agrees", r.agreement().agrees());
        return root;
    }
}
