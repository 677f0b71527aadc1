package dev.strata.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The serving load of {@link ServeBenchmark} sent through Strata's HTTP API instead of straight to
 * the engine: each client streams {@code POST /v1/completions} (prompt as token ids, EOS ignored,
 * {@code logprobs: 0} so every token is its own chunk, usage asked for), timing each token's chunk
 * as it arrives. {@code GET /metrics} is scraped before and after all levels, and what the clients
 * counted — requests answered, prompt tokens sent, token chunks received — is set beside the
 * increase of the matching vLLM counters.
 */
public final class HttpServeBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The levels' results and the load-versus-{@code /metrics} check over all of them. */
    public record Result(List<LoadResult> levels, MetricsAgreement agreement) {}

    private final URI base;
    private final String model;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final LongAdder requests = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder tokenChunks = new LongAdder();
    private final LongAdder usageCompletionTokens = new LongAdder();

    /** @param base the server, e.g. {@code http://127.0.0.1:8080}; @param model the model id it serves */
    public HttpServeBenchmark(URI base, String model) {
        this.base = base;
        this.model = model;
    }

    /**
     * Runs each concurrency level with the prompts {@link ServeBenchmark#prompts} makes from
     * {@code tokenizer}, after one untimed warm-up request (sent before the first scrape).
     */
    public Result run(Tokenizer tokenizer, ServeBenchmark.Config c) throws Exception {
        List<List<int[]>> prompts = ServeBenchmark.promptsPerLevel(tokenizer, c);
        request(prompts.getLast().getFirst(), 16, false);
        MetricsScrape before = scrape();
        List<LoadResult> levels = new ArrayList<>();
        for (int k = 0; k < c.concurrency().length; k++) {
            List<int[]> level = prompts.get(k);
            levels.add(ServeLoad.run(c.concurrency()[k], c.requestsPerClient(),
                    i -> request(level.get(i), c.genTokens(), true)));
        }
        MetricsScrape after = scrape();
        Map<String, String> byModel = Map.of("model_name", model);
        List<MetricsAgreement.Row> rows = List.of(
                row("requests", requests.sum(), before, after, "vllm:request_success_total", byModel),
                row("prompt tokens", promptTokens.sum(), before, after, "vllm:prompt_tokens_total", byModel),
                row("generated tokens", tokenChunks.sum(), before, after, "vllm:generation_tokens_total", byModel),
                row("TTFT observations", requests.sum(), before, after, "vllm:time_to_first_token_seconds_count",
                        byModel),
                row("HTTP 200s", requests.sum(), before, after, "strata_requests_total",
                        Map.of("route", "/v1/completions", "status", "200")),
                row("usage completion tokens", usageCompletionTokens.sum(), before, after,
                        "strata_tokens_total", Map.of("model", model, "type", "completion")));
        return new Result(levels, new MetricsAgreement(rows));
    }

    private static MetricsAgreement.Row row(String quantity, long counted, MetricsScrape before, MetricsScrape after,
            String metric, Map<String, String> labels) {
        return new MetricsAgreement.Row(quantity, counted, after.sum(metric, labels) - before.sum(metric, labels),
                metric);
    }

    private MetricsScrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + r.statusCode());
        }
        return new MetricsScrape(r.body());
    }

    /** One streamed completion; its tokens' arrival times, and (when {@code counted}) the run's counts. */
    private LoadResult.RequestTiming request(int[] prompt, int genTokens, boolean counted)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", genTokens)
                .put("ignore_eos", true).put("temperature", 0).put("stream", true).put("logprobs", 0);
        body.putObject("stream_options").put("include_usage", true);
        var ids = body.putArray("prompt");
        Arrays.stream(prompt).forEach(ids::add);
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> r = client.send(HttpRequest.newBuilder(
                base.resolve("/v1/completions")).timeout(Duration.ofMinutes(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            String text = String.join("\n", r.body().toList());
            throw new IllegalStateException("POST /v1/completions answered " + r.statusCode() + ": " + text);
        }
        long[] at = new long[genTokens + 1];
        int n = 0;
        long usageCompletion = -1;
        try (var lines = r.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.startsWith("data: {")) {
                    continue;
                }
                long now = System.nanoTime();
                JsonNode chunk = JSON.readTree(line.substring(6));
                JsonNode choice = chunk.path("choices").path(0);
                if (choice.isObject() && choice.path("finish_reason").isNull() && n < at.length) {
                    at[n++] = now;
                }
                if (chunk.hasNonNull("usage")) {
                    usageCompletion = chunk.get("usage").path("completion_tokens").asLong();
                }
            }
        }
        if (counted) {
            requests.increment();
            promptTokens.add(prompt.length);
            tokenChunks.add(n);
            usageCompletionTokens.add(Math.max(0, usageCompletion));
        }
        return new LoadResult.RequestTiming(t0, Arrays.copyOf(at, n));
    }
}
