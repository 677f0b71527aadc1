package dev.strata.engine.generate;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineStatsTest {

    @Test
    void rejectsImpossibleValues() {
        assertThatThrownBy(() -> new EngineStats(-1, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EngineStats(0, 0, 1.5, 0, 0, 0)).hasMessageContaining("kvCacheUsage");
        assertThatThrownBy(() -> new EngineStats(0, 0, Double.NaN, 0, 0, 0)).hasMessageContaining("kvCacheUsage");
        assertThatThrownBy(() -> new EngineStats(0, 0, 0, 0, 1, 2)).hasMessageContaining("prefixCacheHits");
        assertThatThrownBy(() -> new EngineStats(0, 0, 0, 0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
