package dev.strata.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanaryTest {
    @Test
    void stickyAndMonotoneInTheWeight() {
        int at10 = 0;
        for (int u = 0; u < 1000; u++) {
            String user = "user-" + u;
            boolean low = Canary.chosen("r", user, 10, 0.99);
            assertThat(Canary.chosen("r", user, 10, 0.0)).isEqualTo(low); // the draw is ignored with a key
            if (low) {
                at10++;
                assertThat(Canary.chosen("r", user, 30, 0.5)).isTrue(); // raising the weight keeps canary users
            }
        }
        assertThat(at10).isBetween(60, 140);
        assertThat(Canary.chosen("r", "u", 0, 0)).isFalse();
        assertThat(Canary.chosen("r", "u", 100, 0.99)).isTrue();
    }
}
