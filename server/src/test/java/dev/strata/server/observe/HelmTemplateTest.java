package dev.strata.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.strata.server.config.ConfigLoader;
import dev.strata.server.config.ConfigOverrides;
import dev.strata.server.config.StrataConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code helm lint --strict} and {@code helm template} on {@code deploy/helm/strata}:
 * Helm 3's Go code as a native library through helm-java (Maven Central), so no Helm binary is
 * needed. The rendered objects are then checked for what the deployment promises.
 */
class HelmTemplateTest {
    private static final Path CHART = Path.of(System.getProperty("strata.models.dir", "../models"))
            .toAbsolutePath().getParent().resolve("deploy/helm/strata");
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    /** The rendered manifests by {@code Kind/name}. */
    private Map<String, JsonNode> render(Map<String, Object> set) throws Exception {
        var template = new Helm(CHART).template().withName("strata").withNamespace("llm");
        set.forEach(template::set);
        String rendered = template.call();
        Map<String, JsonNode> out = new HashMap<>();
        try (var parser = yaml.getFactory().createParser(rendered)) {
            var it = yaml.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    out.put(doc.get("kind").asText() + "/" + doc.path("metadata").path("name").asText(), doc);
                }
            }
        }
        return out;
    }

    @Test
    void helmLintStrictPasses() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderADeploymentWithProbesConfigAndDrain() throws Exception {
        Map<String, JsonNode> objects = render(Map.of());
        assertThat(objects.keySet()).contains("Deployment/strata", "Service/strata", "ConfigMap/strata",
                "PodDisruptionBudget/strata").noneMatch(k -> k.startsWith("HorizontalPodAutoscaler/"))
                .noneMatch(k -> k.startsWith("ServiceMonitor/"));
        JsonNode values = yaml.readTree(CHART.resolve("values.yaml").toFile());
        JsonNode pod = objects.get("Deployment/strata").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isEqualTo(
                values.path("preStopSleepSeconds").asInt()
                        + values.path("config").path("server").path("drain_timeout_seconds").asInt()
                        + values.path("terminationGracePeriodExtraSeconds").asInt());
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();

        // the mounted configuration is one the server accepts
        JsonNode configMap = objects.get("ConfigMap/strata").path("data");
        String file = configMap.fieldNames().next();
        JsonNode mounted = yaml.readTree(configMap.path(file).asText());
        Path model = Path.of(System.getProperty("strata.models.dir", "../models"), "stories260K.gguf")
                .toAbsolutePath(); // the image's model path does not exist here
        ((com.fasterxml.jackson.databind.node.ObjectNode) mounted.get("models").get(0)).put("path", model.toString());
        Path config = dir.resolve(file);
        yaml.writeValue(config.toFile(), mounted);
        StrataConfig loaded = new ConfigLoader(Map.of(), null).load(Optional.of(config), ConfigOverrides.NONE);
        assertThat(loaded.models()).extracting(m -> m.id()).containsExactly("stories260K");
        assertThat(loaded.server().drainTimeout().toSeconds())
                .isEqualTo(values.path("config").path("server").path("drain_timeout_seconds").asLong());
    }

    @Test
    void autoscalingRendersAnHpaOnQueueDepthAndKvUsage() throws Exception {
        Map<String, JsonNode> objects = render(Map.of("autoscaling.enabled", "true", "serviceMonitor.enabled", "true",
                "secrets.env.STRATA_ADMIN_KEY", "change-me"));
        JsonNode hpa = objects.get("HorizontalPodAutoscaler/strata");
        assertThat(hpa).isNotNull();
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        List<String> metrics = new ArrayList<>();
        hpa.path("spec").path("metrics").forEach(m -> metrics.add(m.path("pods").path("metric").path("name").asText()));
        assertThat(metrics).containsExactlyInAnyOrder("vllm_num_requests_waiting", "vllm_kv_cache_usage_perc");
        assertThat(objects).containsKey("ServiceMonitor/strata");
        assertThat(objects.keySet()).anyMatch(k -> k.startsWith("Secret/"));
        assertThat(objects.get("Deployment/strata").path("spec").has("replicas")).as("the HPA owns replicas")
                .isFalse();
    }
}
