package dev.strata.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.store.Database;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcAuditLogTest {
    @TempDir
    Path dir;

    private static AuditRecord row(String id, long ms, String tenant, int status, double cost) {
        return new AuditRecord(id, Instant.ofEpochMilli(ms), tenant, "key1", "POST /v1/completions", "m", status, 3, 4,
                cost, 12, 1, status == 200 ? null : "nope", "ph", "oh", null, null);
    }

    static void exercise(AuditLog log) {
        log.append(row("r1", 1000, "acme", 200, 0.5));
        log.append(row("r2", 2000, "acme", 429, 0));
        log.append(row("r3", 3000, "beta", 200, 0.25));
        assertThat(log.query(AuditQuery.all(10))).extracting(AuditRecord::requestId).containsExactly("r1", "r2", "r3");
        assertThat(log.query(new AuditQuery("acme", null, null, 429, null, null, 10))).containsExactly(
                row("r2", 2000, "acme", 429, 0));
        assertThat(log.query(new AuditQuery(null, null, null, null, Instant.ofEpochMilli(2000), Instant.ofEpochMilli(3000),
                10))).extracting(AuditRecord::requestId).containsExactly("r2");
        assertThat(log.query(AuditQuery.all(1))).hasSize(1);
        assertThat(log.spentUsd("acme", Instant.EPOCH)).isEqualTo(0.5);
    }

    @Test
    void recordsSurviveReopeningTheFile() {
        try (Database db = Database.sqlite(dir)) {
            exercise(new JdbcAuditLog(db));
        }
        try (Database db = Database.sqlite(dir)) {
            assertThat(new JdbcAuditLog(db).query(AuditQuery.all(100))).hasSize(3);
        }
    }

    @Test
    void callRecordHashesPromptAndOutputAndKeepsTextOnlyWhenAsked() {
        CallRecord r = new CallRecord("req-1", Instant.EPOCH, 0, dev.strata.server.auth.Caller.ANONYMOUS);
        r.prompt("user:hi", 2);
        r.admitted("m", 5_000_000);
        r.output("hel");
        r.output("lo");
        r.completed(2);
        AuditRecord a = r.finish("POST /v1/chat/completions", 200, null, 0, 9_000_000);
        assertThat(a.promptSha256()).isEqualTo(java.util.HexFormat.of().formatHex(sha("user:hi")));
        assertThat(a.promptSha256()).hasSize(64).isNotEqualTo(a.outputSha256());
        assertThat(a.outputSha256()).isEqualTo(java.util.HexFormat.of().formatHex(sha("hello")));
        assertThat(a.promptText()).isNull();
        assertThat(a.outputText()).isNull();
        assertThat(a.latencyMillis()).isEqualTo(9);
        assertThat(a.queueMillis()).isEqualTo(5);
    }

    private static byte[] sha(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
