package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.server.config.ObserveConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard, the alert rules and the Prometheus-adapter rules in
 * {@code deploy/} query is one a running server really exports (scraped after one request, so
 * histograms and per-tenant series exist).
 */
class DeployQueriesTest {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");
    /** Series that come from Prometheus itself, not from the server. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Path DEPLOY = Path.of(System.getProperty("strata.models.dir", "../models"))
            .toAbsolutePath().getParent().resolve("deploy");
    private static ObservedServer server;
    private static Set<String> exported;

    @BeforeAll
    static void scrape() throws Exception {
        server = ObservedServer.start(ObserveConfig.DEFAULTS);
        server.http.send(java.net.http.HttpRequest.newBuilder(server.gateway.httpUri().resolve("/v1/completions"))
                .header("Content-Type", "application/json").header("x-strata-tenant", "acme")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"stories260K\",\"prompt\":\"Hello\",\"max_tokens\":3}")).build());
        exported = server.scrape().names();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The metric names in a PromQL expression: what is left after dropping strings, label matchers,
     * ranges, grouping clauses, function names and numbers.
     */
    static Set<String> metricsIn(String promql) {
        String q = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$[a-zA-Z_]+", " ")
                .replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(q);
        while (m.find()) {
            String name = m.group();
            int next = m.end();
            while (next < q.length() && Character.isWhitespace(q.charAt(next))) {
                next++;
            }
            boolean function = next < q.length() && q.charAt(next) == '(';
            if (!function && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void extractsMetricNamesFromPromql() {
        assertThat(metricsIn("histogram_quantile(0.95, sum by (le, model_name) "
                + "(rate(vllm:time_to_first_token_seconds_bucket{model_name=~\"$model\"}[5m])))"))
                .containsExactly("vllm:time_to_first_token_seconds_bucket");
        assertThat(metricsIn("sum(rate(strata_requests_total{status=~\"5..\"}[5m])) / clamp_min(x[5m], 1)"))
                .containsExactly("strata_requests_total", "x");
        assertThat(metricsIn("max by (instance) (vllm:kv_cache_usage_perc) > 0.95"))
                .containsExactly("vllm:kv_cache_usage_perc");
        assertThat(metricsIn("strata_process_resident_memory_bytes > 3.5e9"))
                .containsExactly("strata_process_resident_memory_bytes");
        assertThat(metricsIn("sum by (tenant) (rate(strata_cost_usd_total{tenant=~\"$tenant\"}[$__rate_interval])) * 3600"))
                .containsExactly("strata_cost_usd_total");
    }

    @Test
    void everyDashboardQueryNamesAnExportedMetric() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/strata-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.get("panels").forEach(p -> p.get("targets").forEach(t -> queries.add(t.get("expr").asText())));
        dashboard.get("templating").get("list").forEach(v -> {
            if (v.has("definition")) {
                queries.add(v.get("definition").asText().replaceAll("label_values\\(([^,]+),.*", "$1{}"));
            }
        });
        assertThat(queries).hasSizeGreaterThan(10);
        assertAllExported(queries);
    }

    @Test
    void everyAlertAndAdapterRuleNamesAnExportedMetric() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<String> queries = new ArrayList<>();
        yaml.readTree(DEPLOY.resolve("prometheus/alert-rules.yaml").toFile()).get("groups")
                .forEach(g -> g.get("rules").forEach(r -> queries.add(r.get("expr").asText())));
        yaml.readTree(DEPLOY.resolve("prometheus/adapter-rules.yaml").toFile()).get("rules").get("custom")
                .forEach(r -> queries.add(r.get("seriesQuery").asText()));
        assertThat(queries).hasSizeGreaterThan(8);
        assertAllExported(queries);
    }

    private static void assertAllExported(List<String> queries) {
        for (String query : queries) {
            Set<String> names = metricsIn(query);
            assertThat(names).as("metrics in %s", query).isNotEmpty();
            names.removeAll(PROMETHEUS_OWN);
            assertThat(exported).as("exported metrics, for the query %s", query).containsAll(names);
        }
    }
}
