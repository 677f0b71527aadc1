package dev.strata.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScaleSearchTest {
    @Test
    void nearestIntRoundsHalfToEven() {
        assertThat(ScaleSearch.nearestInt(0.5f)).isZero();
        assertThat(ScaleSearch.nearestInt(1.5f)).isEqualTo(2);
        assertThat(ScaleSearch.nearestInt(2.5f)).isEqualTo(2);
        assertThat(ScaleSearch.nearestInt(-0.5f)).isZero();
        assertThat(ScaleSearch.nearestInt(-1.5f)).isEqualTo(-2);
        assertThat(ScaleSearch.nearestInt(-7.49f)).isEqualTo(-7);
        assertThat(ScaleSearch.nearestInt(31.6f)).isEqualTo(32);
        assertThat(ScaleSearch.nearestInt(4194303f)).isEqualTo(4194303);
    }

    @Test
    void roundAwayFromZeroIsCsRoundf() {
        assertThat(ScaleSearch.roundAwayFromZero(0.5f)).isEqualTo(1);
        assertThat(ScaleSearch.roundAwayFromZero(-0.5f)).isEqualTo(-1);
        assertThat(ScaleSearch.roundAwayFromZero(2.5f)).isEqualTo(3);
        assertThat(ScaleSearch.roundAwayFromZero(0.49999997f)).isZero();
        assertThat(ScaleSearch.roundAwayFromZero(-126.5f)).isEqualTo(-127);
    }

    @Test
    void qkx2FitsAnAffineGridExactly() {
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = -1f + 0.5f * (i % 4); // levels 0..3 of scale 0.5, min -1
        }
        float[] weights = new float[16];
        java.util.Arrays.fill(weights, 1f);
        byte[] levels = new byte[16];
        float[] min = new float[1];
        float scale = ScaleSearch.makeQkx2Quants(16, 3, x, 0, weights, levels, 0, min, 0, new byte[16], -0.5f, 0.1f, 15,
                true);
        assertThat(scale).isEqualTo(0.5f);
        assertThat(min[0]).isEqualTo(1f);
        for (int i = 0; i < 16; i++) {
            assertThat(levels[i]).isEqualTo((byte) (i % 4));
        }
    }
}
