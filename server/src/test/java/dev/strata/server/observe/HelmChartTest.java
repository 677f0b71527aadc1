package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.server.config.ConfigLoader;
import dev.strata.server.config.ConfigOverrides;
import dev.strata.server.config.StrataConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks of the Helm chart that need no Helm ({@link HelmTemplateTest} runs the real
 * {@code helm lint} and {@code helm template}): every {@code .Values} path a template reads
 * exists in {@code values.yaml}, template actions are balanced, the probes use the server's health
 * routes, and the configuration the chart mounts is one the server accepts.
 */
class HelmChartTest {
    private static final Path CHART = Path.of(System.getProperty("strata.models.dir", "../models"))
            .toAbsolutePath().getParent().resolve("deploy/helm/strata");
    private static final Pattern VALUES_PATH = Pattern.compile("\\.Values((?:\\.[a-zA-Z_][a-zA-Z0-9_]*)+)");
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @Test
    void chartAndValuesAreYaml() throws Exception {
        JsonNode chart = yaml.readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.get("apiVersion").asText()).isEqualTo("v2");
        assertThat(chart.get("name").asText()).isEqualTo("strata");
        assertThat(yaml.readTree(CHART.resolve("values.yaml").toFile()).isObject()).isTrue();
    }

    @Test
    void everyValuesPathTemplatesReadExists() throws Exception {
        JsonNode values = yaml.readTree(CHART.resolve("values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        for (Path template : templates()) {
            Matcher m = VALUES_PATH.matcher(Files.readString(template));
            while (m.find()) {
                JsonNode node = values;
                for (String key : m.group(1).substring(1).split("\\.")) {
                    node = node == null ? null : node.get(key);
                }
                if (node == null) {
                    missing.add(template.getFileName() + ": .Values" + m.group(1));
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void templateActionsAreBalanced() throws Exception {
        for (Path template : templates()) {
            String text = Files.readString(template);
            assertThat(count(text, "{{")).as("{{ in %s", template).isEqualTo(count(text, "}}"));
            int opens = count(text, "{{- if ") + count(text, "{{ if ") + count(text, "{{- range ")
                    + count(text, "{{- with ") + count(text, "{{- define ");
            int ends = count(text, "{{- end") + count(text, "{{ end");
            assertThat(ends).as("blocks in %s", template).isEqualTo(opens);
        }
    }

    @Test
    void probesUseTheHealthRoutesAndGraceCoversTheDrain() throws Exception {
        String deployment = Files.readString(CHART.resolve("templates/deployment.yaml"));
        assertThat(deployment).contains("livenessProbe:\n            httpGet:\n              path: /health/live")
                .contains("readinessProbe:\n            httpGet:\n              path: /health/ready")
                .contains("startupProbe:")
                .contains("terminationGracePeriodSeconds: {{ include \"strata.terminationGracePeriod\" . }}");
        assertThat(Files.readString(CHART.resolve("templates/_helpers.tpl")))
                .contains("add .Values.preStopSleepSeconds (default 30 .Values.config.server.drain_timeout_seconds)");
    }

    @Test
    void theMountedConfigurationIsOneTheServerAccepts(@TempDir Path dir) throws Exception {
        JsonNode config = yaml.readTree(CHART.resolve("values.yaml").toFile()).get("config");
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf")
                .toAbsolutePath();
        ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("models").get(0)).put("path", model.toString());
        Path file = dir.resolve("strata.yaml");
        yaml.writeValue(file.toFile(), config);
        StrataConfig loaded = new ConfigLoader(Map.of("STRATA_HOST", "0.0.0.0", "STRATA_PORT", "8080"), null)
                .load(Optional.of(file), ConfigOverrides.NONE);
        assertThat(loaded.server().drainTimeout().toSeconds())
                .isEqualTo(config.get("server").get("drain_timeout_seconds").asLong());
        assertThat(loaded.models()).hasSize(1);
    }

    private static List<Path> templates() throws Exception {
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".tpl")).sorted()
                    .toList();
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
