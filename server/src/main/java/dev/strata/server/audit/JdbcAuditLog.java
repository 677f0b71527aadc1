package dev.strata.server.audit;

import dev.strata.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link AuditLog} in the tenancy database's {@code audit} table (SQLite or PostgreSQL). */
public final class JdbcAuditLog implements AuditLog {
    private static final String COLUMNS = "request_id, time_ms, tenant, key_id, endpoint, model, status,"
            + " prompt_tokens, completion_tokens, cost_usd, latency_ms, queue_ms, error, prompt_sha256,"
            + " output_sha256, prompt_text, output_text";

    private static final String INSERT = "INSERT INTO audit (" + COLUMNS + ") VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final Database db;

    public JdbcAuditLog(Database db) {
        this.db = db;
    }

    @Override
    public void append(AuditRecord a) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                bind(s, a);
                return s.executeUpdate();
            }
        });
    }

    /** All of {@code records} in one transaction: all are stored, or none (the error is thrown). */
    @Override
    public void appendAll(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        db.with(c -> {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(INSERT)) {
                for (AuditRecord a : records) {
                    bind(s, a);
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
                return records.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        });
    }

    private static void bind(PreparedStatement s, AuditRecord a) throws SQLException {
        s.setString(1, a.requestId());
        s.setLong(2, a.time().toEpochMilli());
        s.setString(3, a.tenant());
        s.setString(4, a.keyId());
        s.setString(5, a.endpoint());
        s.setString(6, a.model());
        s.setInt(7, a.status());
        s.setInt(8, a.promptTokens());
        s.setInt(9, a.completionTokens());
        s.setDouble(10, a.costUsd());
        s.setLong(11, a.latencyMillis());
        s.setLong(12, a.queueMillis());
        s.setString(13, a.error());
        s.setString(14, a.promptSha256());
        s.setString(15, a.outputSha256());
        s.setString(16, a.promptText());
        s.setString(17, a.outputText());
    }

    @Override
    public List<AuditRecord> query(AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        filter(sql, args, "tenant", q.tenant());
        filter(sql, args, "key_id", q.keyId());
        filter(sql, args, "model", q.model());
        filter(sql, args, "status", q.status());
        if (q.since() != null) {
            sql.append(" AND time_ms >= ?");
            args.add(q.since().toEpochMilli());
        }
        if (q.until() != null) {
            sql.append(" AND time_ms < ?");
            args.add(q.until().toEpochMilli());
        }
        sql.append(" ORDER BY time_ms, request_id LIMIT ").append(q.limit());
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                bind(s, args);
                try (ResultSet r = s.executeQuery()) {
                    List<AuditRecord> out = new ArrayList<>();
                    while (r.next()) {
                        out.add(recordOf(r));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public double spentUsd(String tenant, Instant since) {
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT COALESCE(SUM(cost_usd), 0) FROM audit WHERE tenant = ? AND time_ms >= ?")) {
                s.setString(1, tenant);
                s.setLong(2, since.toEpochMilli());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? r.getDouble(1) : 0.0;
                }
            }
        });
    }

    private static void filter(StringBuilder sql, List<Object> args, String column, Object value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object v = args.get(i);
            switch (v) {
                case String str -> s.setString(i + 1, str);
                case Integer n -> s.setInt(i + 1, n);
                case Long n -> s.setLong(i + 1, n);
                default -> s.setNull(i + 1, Types.VARCHAR);
            }
        }
    }

    private static AuditRecord recordOf(ResultSet r) throws SQLException {
        return new AuditRecord(r.getString(1), Instant.ofEpochMilli(r.getLong(2)), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getInt(7), r.getInt(8), r.getInt(9), r.getDouble(10), r.getLong(11),
                r.getLong(12), r.getString(13), r.getString(14), r.getString(15), r.getString(16), r.getString(17));
    }
}
