package dev.strata.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.audit.AuditQuery;
import dev.strata.server.audit.JdbcAuditLog;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.store.Database;
import dev.strata.server.store.JdbcTenantStore;
import dev.strata.server.testservices.PostgresProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same store and audit log on a real PostgreSQL server, shared by two replicas. */
class PostgresTenancyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresProcess postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        assumeTrue(PostgresProcess.find().isPresent(), PostgresProcess.MISSING);
        postgres = PostgresProcess.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void replicasSharingPostgresSeeKeysRevocationsAndOneAuditLog() throws Exception {
        TenancyConfig t = TenancyConfig.DEFAULTS.withRequireAuth(true).withDatabaseUrl(postgres.url());
        try (Replica a = Replica.start(t, 8, 0); Replica b = Replica.start(t, 8, 0)) {
            String key = JSON.readTree(a.admin("POST", "/admin/keys", "{\"tenant\":\"pg\"}").body()).get("key").asText();
            assertThat(b.complete(key, "m", 2).statusCode()).isEqualTo(200);
            String id = key.substring("sk-strata-".length(), key.indexOf('_'));
            assertThat(a.admin("DELETE", "/admin/keys/" + id, null).statusCode()).isEqualTo(200);
            long revoked = System.nanoTime();
            int last;
            int served = 1; // before the revocation; more until b's cached key expires
            do {
                last = b.complete(key, "m", 1).statusCode();
                served += last == 200 ? 1 : 0;
            } while (last != 401 && System.nanoTime() - revoked < 2_000_000_000L);
            assertThat(last).isEqualTo(401);
            assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThan(Duration.ofSeconds(1));
            // b writes its audit records from a queue, a moment after each answer: wait (bounded) for them
            JsonNode data;
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                data = JSON.readTree(a.admin("GET", "/admin/audit?tenant=pg&status=200", null).body()).get("data");
            } while (data.size() < served && System.nanoTime() < deadline);
            assertThat(data).as("b's requests are in the log a reads").hasSize(served);
        }
        try (Database db = Database.open(postgres.url(), null, null)) {
            assertThat(db.postgres()).isTrue();
            assertThat(new JdbcTenantStore(db).tenant("pg")).isPresent();
            assertThat(new JdbcAuditLog(db).query(AuditQuery.all(1000))).isNotEmpty();
        }
    }
}
