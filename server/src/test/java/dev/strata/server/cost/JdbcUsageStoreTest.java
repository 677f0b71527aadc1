package dev.strata.server.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.server.store.Database;
import dev.strata.server.testservices.PostgresProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcUsageStoreTest {
    private static final LocalDate D1 = LocalDate.parse("2026-11-22");
    private static final LocalDate D2 = LocalDate.parse("2026-11-23");

    @TempDir
    Path dir;

    private static void record(UsageStore store) {
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-22T23:59:59Z"), 10, 1, 0.5));
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T00:00:00Z"), 20, 2, 1.0));
        store.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T10:00:00Z"), 30, 3, 1.5));
        store.add(new UsageEntry("acme", "small", Instant.parse("2026-11-23T10:00:00Z"), 4, 4, 0));
        store.add(new UsageEntry("beta", "m", Instant.parse("2026-11-23T10:00:00Z"), 1, 1, 0.125));
    }

    /** The same answers {@link InMemoryUsageStoreTest} expects of the in-memory store. */
    private static void assertTotals(UsageStore store) {
        assertThat(store.totals(new UsageQuery(Optional.of("acme"), D1, D2))).containsExactly(
                new UsageTotal("acme", "m", D1, 1, 10, 1, 0.5),
                new UsageTotal("acme", "m", D2, 2, 50, 5, 2.5),
                new UsageTotal("acme", "small", D2, 1, 4, 4, 0));
        assertThat(store.totals(new UsageQuery(Optional.empty(), D2, D2))).extracting(UsageTotal::tenant,
                UsageTotal::model).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acme", "m"),
                        org.assertj.core.groups.Tuple.tuple("acme", "small"),
                        org.assertj.core.groups.Tuple.tuple("beta", "m"));
        assertThat(store.totals(new UsageQuery(Optional.of("acme"), D2.plusDays(1), D2.plusDays(2)))).isEmpty();
        assertThat(store.totals(new UsageQuery(Optional.of("nobody"), D1, D2))).isEmpty();
    }

    @Test
    void sqliteTotalsMatchTheInMemoryStoreAndSurviveReopeningTheFile() {
        InMemoryUsageStore memory = new InMemoryUsageStore();
        record(memory);
        try (JdbcUsageStore store = new JdbcUsageStore(Database.sqlite(dir))) {
            record(store);
            assertTotals(store);
            assertThat(store.totals(new UsageQuery(Optional.empty(), D1, D2)))
                    .isEqualTo(memory.totals(new UsageQuery(Optional.empty(), D1, D2)));
        }
        try (JdbcUsageStore store = new JdbcUsageStore(Database.sqlite(dir))) {
            assertTotals(store);
            store.add(new UsageEntry("beta", "m", Instant.parse("2026-11-23T11:00:00Z"), 2, 3, 0.25));
            assertThat(store.totals(new UsageQuery(Optional.of("beta"), D2, D2))).containsExactly(
                    new UsageTotal("beta", "m", D2, 2, 3, 4, 0.375));
        }
    }

    @Test
    void usageWaitsInMemoryUntilTheIntervalAQueryOrClose() {
        AtomicLong nanos = new AtomicLong();
        UsageQuery all = new UsageQuery(Optional.empty(), D1, D2);
        try (JdbcUsageStore writer = new JdbcUsageStore(Database.sqlite(dir), nanos::get, 1_000);
                JdbcUsageStore reader = new JdbcUsageStore(Database.sqlite(dir))) {
            writer.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T10:00:00Z"), 10, 1, 0.5));
            nanos.addAndGet(999);
            writer.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T10:00:01Z"), 10, 1, 0.5));
            assertThat(reader.totals(all)).as("nothing written within the interval").isEmpty();
            nanos.addAndGet(1);
            writer.add(new UsageEntry("acme", "m", Instant.parse("2026-11-23T10:00:02Z"), 10, 1, 0.5));
            assertThat(reader.totals(all)).as("the first call after the interval writes all three")
                    .containsExactly(new UsageTotal("acme", "m", D2, 3, 30, 3, 1.5));
            writer.add(new UsageEntry("beta", "m", Instant.parse("2026-11-23T10:00:03Z"), 1, 1, 0.25));
            assertThat(reader.totals(all)).hasSize(1);
            assertThat(writer.totals(all)).as("a query flushes first").hasSize(2);
            assertThat(reader.totals(all)).hasSize(2);
            writer.add(new UsageEntry("beta", "m", Instant.parse("2026-11-23T10:00:04Z"), 1, 1, 0.25));
        }
        try (JdbcUsageStore reopened = new JdbcUsageStore(Database.sqlite(dir))) {
            assertThat(reopened.totals(all)).as("close flushed the last call").contains(
                    new UsageTotal("beta", "m", D2, 2, 2, 2, 0.5));
        }
    }

    @Test
    void postgresKeepsTheSameTotals() throws Exception {
        assumeTrue(PostgresProcess.find().isPresent(), PostgresProcess.MISSING);
        try (PostgresProcess postgres = PostgresProcess.start()) {
            try (JdbcUsageStore store = new JdbcUsageStore(Database.open(postgres.url(), null, null))) {
                record(store);
                assertTotals(store);
            }
            try (JdbcUsageStore store = new JdbcUsageStore(Database.open(postgres.url(), null, null))) {
                assertTotals(store);
            }
        }
    }
}
