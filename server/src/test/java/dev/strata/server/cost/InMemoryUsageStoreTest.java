package dev.strata.server.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryUsageStoreTest {
    private static final LocalDate D1 = LocalDate.parse("2026-11-22");
    private static final LocalDate D2 = LocalDate.parse("2026-11-23");

    @Test
    void addsUpByTenantModelAndUtcDay() {
        InMemoryUsageStore store = new InMemoryUsageStore();
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-22T23:59:59Z"), 10, 1, 0.5));
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T00:00:00Z"), 20, 2, 1.0));
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T10:00:00Z"), 30, 3, 1.5));
        store.add(new UsageEntry("beta", "m", Instant.parse("2026-11-23T10:00:00Z"), 1, 1, 0.1));
        assertThat(store.totals(new UsageQuery(Optional.of("acme"), D1, D2))).containsExactly(
                new UsageTotal("acme", "m", D1, 1, 10, 1, 0.5),
                new UsageTotal("acme", "m", D2, 2, 50, 5, 2.5));
        assertThat(store.totals(new UsageQuery(Optional.empty(), D2, D2))).extracting(UsageTotal::tenant)
                .containsExactly("acme", "beta");
        assertThat(store.totals(new UsageQuery(Optional.of("acme"), D2.plusDays(1), D2.plusDays(2)))).isEmpty();
    }

    @Test
    void queriesAndEntriesAreValidated() {
        assertThatThrownBy(() -> new UsageQuery(Optional.empty(), D2, D1)).hasMessageContaining("before");
        assertThatThrownBy(() -> new UsageQuery(Optional.empty(), D1, D1.plusDays(400))).hasMessageContaining("366");
        assertThatThrownBy(() -> new UsageEntry("t", "m", Instant.EPOCH, -1, 0, 0)).isInstanceOf(
                IllegalArgumentException.class);
    }
}
