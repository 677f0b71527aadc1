package dev.strata.bench.bandwidth;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class MemoryBandwidthTest {
    @Test
    void sumsEveryFloat() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 4096;
            MemorySegment s = arena.allocate(n * 4L, 64);
            for (int i = 0; i < n; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 7);
            }
            double expected = 0;
            for (int i = 0; i < n; i++) {
                expected += i % 7;
            }
            assertThat((double) MemoryBandwidth.sum(s)).isEqualTo(expected);
        }
    }

    @Test
    void reportsPositiveRatesForEachRepetition() {
        MemoryBandwidth.Result r = MemoryBandwidth.measure(8 << 20, 2, 3);
        assertThat(r.gigabytesPerSecond()).hasSize(3);
        for (double x : r.gigabytesPerSecond()) {
            assertThat(x).isPositive();
        }
        assertThat(r.best()).isGreaterThanOrEqualTo(r.median());
        assertThat(r.bufferBytes()).isLessThanOrEqualTo(8 << 20);
    }
}
