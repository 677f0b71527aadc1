package dev.strata.server.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.server.config.ModelPrice;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceTableTest {

    @Test
    void pricesPerMillionTokensAndUnknownModelsAreFree() {
        PriceTable table = new PriceTable(Map.of("gpt", new ModelPrice(2.5, 10)));
        assertThat(table.costUsd("gpt", 1_000_000, 0)).isEqualTo(2.5);
        assertThat(table.costUsd("gpt", 1000, 500)).isCloseTo(0.0025 + 0.005, within(1e-15));
        assertThat(table.costUsd("other", 1000, 500)).isZero();
        assertThatThrownBy(() -> new ModelPrice(-1, 0)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new ModelPrice(Double.NaN, 0)).hasMessageContaining(">= 0");
    }
}
