package dev.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.server.GatewayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code price} of a model and the {@code observe} section of the YAML file. */
class PriceAndObserveConfigTest {
    @TempDir
    Path dir;

    private StrataConfig load(String yaml, Map<String, String> env) throws Exception {
        Files.write(dir.resolve("m.gguf"), new byte[] {0});
        Path file = Files.writeString(dir.resolve("strata.yaml"), yaml);
        return new ConfigLoader(env, null).load(Optional.of(file), ConfigOverrides.NONE);
    }

    @Test
    void readsPricesAndLogSettings() throws Exception {
        StrataConfig c = load("""
                models:
                  - path: m.gguf
                    price: {input_usd_per_million: 0.15, output_usd_per_million: 0.6}
                observe:
                  log_level: warn
                  log_prompts: true
                """, Map.of());
        assertThat(c.models().getFirst().price()).isEqualTo(new ModelPrice(0.15, 0.6));
        assertThat(c.observe()).isEqualTo(new ObserveConfig("warn", true));
    }

    @Test
    void defaultsAreFreeAndInfoWithoutPrompts() throws Exception {
        StrataConfig c = load("models: [{path: m.gguf}]\n", Map.of("STRATA_LOG_LEVEL", "debug"));
        assertThat(c.models().getFirst().price()).isEqualTo(ModelPrice.FREE);
        assertThat(c.observe()).isEqualTo(new ObserveConfig("debug", false));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> load("models: [{path: m.gguf, price: {input_usd_per_million: -1}}]\n", Map.of()))
                .isInstanceOf(GatewayException.InvalidConfig.class)
                .hasMessageContaining("models[0].price.input_usd_per_million");
        assertThatThrownBy(() -> load("models: [{path: m.gguf, price: {per_token: 1}}]\n", Map.of()))
                .hasMessageContaining("models[0].price.per_token");
        assertThatThrownBy(() -> load("models: [{path: m.gguf}]\nobserve: {log_level: loud}\n", Map.of()))
                .hasMessageContaining("observe.log_level");
        assertThatThrownBy(() -> load("models: [{path: m.gguf}]\nobserve: {log_prompts: maybe}\n", Map.of()))
                .hasMessageContaining("observe.log_prompts");
    }
}
