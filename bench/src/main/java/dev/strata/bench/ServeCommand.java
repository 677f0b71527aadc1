package dev.strata.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.bench.serve.LoadResult;
import dev.strata.bench.serve.ServeBenchmark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata bench serve}: throughput, TTFT and ITL under concurrent load, Strata beside llama.cpp's server loop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Aggregate tokens/s and TTFT/ITL percentiles per concurrency level for Strata's serving engine and "
                + "llama.cpp's server loop (de.kherud:llama, one slot per client), plus the prefix cache's TTFT benefit.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF file")
    Path model;

    @Option(names = "--concurrency", defaultValue = "1,4,8,16", split = ",",
            description = "concurrent clients per level (default: ${DEFAULT-VALUE})")
    int[] concurrency;

    @Option(names = "--threads", description = "threads for both engines (default: all cores)")
    Integer threads;

    @Option(names = "--prompt-tokens", defaultValue = "32", description = "prompt length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "128", description = "tokens per request, EOS ignored (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--requests-per-client", defaultValue = "1", description = "sequential requests per client (default: ${DEFAULT-VALUE})")
    int requestsPerClient;

    @Option(names = "--system-prompt-tokens", defaultValue = "1000", description = "shared prefix for the prefix-cache test (default: ${DEFAULT-VALUE})")
    int systemPromptTokens;

    @Option(names = "--max-batch-tokens", defaultValue = "256", description = "Strata's tokens per forward pass (default: ${DEFAULT-VALUE})")
    int maxBatchTokens;

    @Option(names = "--peer", defaultValue = "none", description = "llamacpp or none (default: ${DEFAULT-VALUE})")
    String peer;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--http", description = "drive an in-process Strata server over HTTP (streamed /v1/completions) "
            + "instead of the engine, and compare the load's counts with /metrics scraped before and after")
    boolean http;

    @Override
    public Integer call() throws Exception {
        boolean withPeer = switch (peer.toLowerCase(Locale.ROOT)) {
            case "llamacpp", "llama.cpp" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("--peer must be llamacpp or none, got " + peer);
        };
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (http) {
            if (withPeer) {
                throw new IllegalArgumentException("--http measures Strata's server alone; leave out --peer");
            }
            return new HttpServeRun(model, t, maxBatchTokens).run(new ServeBenchmark.Config(model, t, concurrency,
                    promptTokens, genTokens, requestsPerClient, false, systemPromptTokens, maxBatchTokens), json);
        }
        ServeBenchmark.Result r = ServeBenchmark.run(new ServeBenchmark.Config(model, t, concurrency, promptTokens,
                genTokens, requestsPerClient, withPeer, systemPromptTokens, maxBatchTokens));
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
        } else {
            print(r);
        }
        return 0;
    }

    private static void print(ServeBenchmark.Result r) {
        ServeBenchmark.Config c = r.config();
        System.out.printf(Locale.ROOT, "%s  threads %d  prompt %d  gen %d  requests/client %d%n", r.modelName(),
                c.threads(), c.promptTokens(), c.genTokens(), c.requestsPerClient());
        System.out.println("| conc | engine | tok/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (ServeBenchmark.Level l : r.levels()) {
            row("strata", l.strata());
            l.peer().ifPresent(p -> row("llama.cpp", p));
            l.throughputRatio().ifPresent(x -> System.out.printf(Locale.ROOT,
                    "| %d | ratio | %.2fx | | %.2fx | | |%n", l.strata().concurrency(), x, l.ttftP99Ratio().orElseThrow()));
        }
        ServeBenchmark.PrefixResult p = r.prefix();
        System.out.printf(Locale.ROOT, "prefix cache: %d-token system prompt, TTFT cold %.1f ms, warm %.1f ms (%.1fx)%n",
                p.systemPromptTokens(), p.coldTtftMillis(), p.warmTtftMillisMedian(), p.speedup());
    }

    static void row(String engine, LoadResult x) {
        System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.0f | %.0f | %.1f | %.1f |%n", x.concurrency(), engine,
                x.tokensPerSecond(), x.ttftP50(), x.ttftP99(), x.itlP50(), x.itlP99());
    }

    private static ObjectNode toJson(ServeBenchmark.Result r) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("model", r.config().model().toString());
        root.put("name", r.modelName());
        root.put("threads", r.config().threads());
        root.put("promptTokens", r.config().promptTokens());
        root.put("genTokens", r.config().genTokens());
        ArrayNode levels = root.putArray("levels");
        for (ServeBenchmark.Level l : r.levels()) {
            ObjectNode n = levels.addObject();
            n.put("concurrency", l.strata().concurrency());
            n.set("strata", json(mapper, l.strata()));
            l.peer().ifPresent(p -> n.set("peer", json(mapper, p)));
            l.throughputRatio().ifPresent(x -> n.put("throughputRatio", x));
            l.ttftP99Ratio().ifPresent(x -> n.put("ttftP99Ratio", x));
        }
        ObjectNode p = root.putObject("prefixCache");
        p.put("systemPromptTokens", r.prefix().systemPromptTokens());
        p.put("coldTtftMillis", r.prefix().coldTtftMillis());
        p.put("warmTtftMillis", r.prefix().warmTtftMillisMedian());
        p.put("speedup", r.prefix().speedup());
        return root;
    }

    static ObjectNode json(ObjectMapper mapper, LoadResult x) {
        ObjectNode n = mapper.createObjectNode();
        n.put("requests", x.numRequests());
        n.put("generatedTokens", x.generatedTokens());
        n.put("tokensPerSecond", x.tokensPerSecond());
        n.put("ttftP50Millis", x.ttftP50());
        n.put("ttftP99Millis", x.ttftP99());
        n.put("itlP50Millis", x.itlP50());
        n.put("itlP99Millis", x.itlP99());
        return n;
    }

    static String levels(int[] c) {
        return Arrays.toString(c);
    }
}
