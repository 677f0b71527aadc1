package dev.strata.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.auth.Caller;
import dev.strata.server.config.ModelPrice;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuditorTest {
    private final List<AuditRecord> stored = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private boolean failing;
    private final AuditLog log = new AuditLog() {
        @Override
        public void append(AuditRecord record) {
            if (failing) {
                throw new StoreException("disk full", null);
            }
            stored.add(record);
        }

        @Override
        public List<AuditRecord> query(AuditQuery query) {
            return stored;
        }

        @Override
        public double spentUsd(String tenant, Instant since) {
            return 0;
        }
    };
    private final Auditor auditor = new Auditor(log, new PriceTable(Map.of("m", new ModelPrice(1_000_000, 2_000_000))),
            Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC), nanos::get);

    @Test
    void closesARecordWithItsCostLatencyAndEndpoint() {
        CallRecord record = auditor.open("ws-1", Caller.ANONYMOUS);
        record.prompt("user:hi", 3);
        record.admitted("m", 0);
        record.completed(2);
        nanos.addAndGet(250_000_000L);
        auditor.close(record, "WS /v1/stream", 200, null);
        assertThat(stored).singleElement().satisfies(a -> {
            assertThat(a.time()).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
            assertThat(a.endpoint()).isEqualTo("WS /v1/stream");
            assertThat(a.costUsd()).isEqualTo(3 * 1.0 + 2 * 2.0);
            assertThat(a.latencyMillis()).isEqualTo(250);
            assertThat(a.promptSha256()).hasSize(64);
        });
    }

    @Test
    void aRecordThatCannotBeStoredDoesNotFailTheRequest() {
        failing = true;
        auditor.close(auditor.open("grpc-1", Caller.ANONYMOUS), "GRPC strata.v1.Strata/Chat", 401, "no key");
        assertThat(stored).isEmpty();
    }
}
