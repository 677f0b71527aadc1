package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.server.GatewayException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutesConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static RoutesConfig parse(String yaml) throws Exception {
        JsonNode node = YAML.readTree(yaml);
        return RoutesConfig.parse(node);
    }

    private static final String BASE = """
            upstreams:
              - {name: a, base_url: "http://127.0.0.1:1/v1"}
              - {name: b, base_url: "https://api.example.com/v1", timeout_ms: 5000}
            pools:
              - {name: p, replicas: [a, b]}
            routes:
              - {name: r, targets: [p, b]}
            """;

    @Test
    void parsesDefaults() throws Exception {
        RoutesConfig c = parse(BASE + "default_route: r\n");
        assertThat(c.upstreams().get(1).http2()).isTrue();
        assertThat(c.upstreams().getFirst().http2()).isFalse();
        assertThat(c.routes().getFirst().retry()).isEqualTo(RoutesConfig.RetrySpec.DEFAULTS);
        assertThat(c.defaultRoute()).isEqualTo("r");
    }

    @Test
    void namesTheBadKey() {
        assertThatThrownBy(() -> parse(BASE + "routes_typo: 1\n")).isInstanceOf(GatewayException.InvalidConfig.class)
                .hasMessageContaining("gateway.routes_typo");
        assertThatThrownBy(() -> parse(BASE.replace("targets: [p, b]", "targets: [p, zz]")))
                .hasMessageContaining("gateway.routes[0].targets").hasMessageContaining("zz");
        assertThatThrownBy(() -> parse(BASE + "rules:\n  - {route: r, regex: \"(\"}\n"))
                .hasMessageContaining("gateway.rules[0].regex");
        assertThatThrownBy(() -> parse(BASE.replace("routes:\n  - {name: r, targets: [p, b]}",
                "routes:\n  - {name: r, cascade: {tiers: [a, b], mode: fast}}")))
                .hasMessageContaining("gateway.routes[0].cascade.mode");
    }

    @Test
    void rulesMatchInOrderThenAliasesThenLocalThenDefault() throws Exception {
        RoutesConfig c = parse(BASE.replace("routes:\n  - {name: r, targets: [p, b]}", """
                routes:
                  - {name: r, targets: [a]}
                  - {name: long, targets: [b]}
                  - {name: vision, targets: [b]}
                  - {name: gold, targets: [b]}
                """) + """
                rules:
                  - {route: gold, tenant: [acme]}
                  - {route: long, min_prompt_tokens: 100}
                  - {route: vision, images: true}
                aliases: {fast: r}
                default_route: r
                """);
        Rules rules = new Rules(c);
        java.util.function.Predicate<String> local = "local"::equals;
        assertThat(rules.select(new RequestFeatures("local", "acme", null, Map.of(), 1, "hi", false), local))
                .isEqualTo("gold");
        assertThat(rules.select(new RequestFeatures("x", null, null, Map.of(), 500, "hi", false), local))
                .isEqualTo("long");
        assertThat(rules.select(new RequestFeatures("x", null, null, Map.of(), 5, "hi", true), local))
                .isEqualTo("vision");
        assertThat(rules.select(new RequestFeatures("fast", null, null, Map.of(), 5, "hi", false), local))
                .isEqualTo("r");
        assertThat(rules.select(new RequestFeatures("local", null, null, Map.of(), 5, "hi", false), local)).isNull();
        assertThat(rules.select(new RequestFeatures("other", null, null, Map.of(), 5, "hi", false), local))
                .isEqualTo("r");
    }
}
