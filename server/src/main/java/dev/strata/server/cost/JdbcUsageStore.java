package dev.strata.server.cost;

import dev.strata.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link UsageStore} in the tenancy database's {@code usage_daily} table (SQLite or PostgreSQL):
 * one row per tenant, model and UTC day, bumped in place by each call with an upsert
 * ({@code INSERT … ON CONFLICT DO UPDATE}, which both databases understand), so the table grows with
 * distinct triples, not with calls, and totals survive a restart. Days are stored as ISO
 * {@code YYYY-MM-DD} text, whose string order is date order.
 *
 * <p>Owns its {@link Database}: {@link #close} closes it.
 */
public final class JdbcUsageStore implements UsageStore {
    private static final String UPSERT = "INSERT INTO usage_daily (tenant, model, day, requests, prompt_tokens,"
            + " completion_tokens, cost_usd) VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (tenant, model, day) DO UPDATE SET"
            + " requests = usage_daily.requests + 1,"
            + " prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,"
            + " completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,"
            + " cost_usd = usage_daily.cost_usd + excluded.cost_usd";
    private static final String SELECT = "SELECT tenant, model, day, requests, prompt_tokens, completion_tokens,"
            + " cost_usd FROM usage_daily WHERE day >= ? AND day <= ?";
    private static final String ORDER = " ORDER BY day, tenant, model";

    private final Database db;

    public JdbcUsageStore(Database db) {
        this.db = db;
    }

    @Override
    public void add(UsageEntry e) {
        String day = LocalDate.ofInstant(e.at(), ZoneOffset.UTC).toString();
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(UPSERT)) {
                s.setString(1, e.tenant());
                s.setString(2, e.model());
                s.setString(3, day);
                s.setLong(4, e.promptTokens());
                s.setLong(5, e.completionTokens());
                s.setDouble(6, e.costUsd());
                return s.executeUpdate();
            }
        });
    }

    @Override
    public List<UsageTotal> totals(UsageQuery query) {
        String sql = SELECT + (query.tenant().isPresent() ? " AND tenant = ?" : "") + ORDER;
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, query.from().toString());
                s.setString(2, query.to().toString());
                if (query.tenant().isPresent()) {
                    s.setString(3, query.tenant().get());
                }
                try (ResultSet r = s.executeQuery()) {
                    List<UsageTotal> out = new ArrayList<>();
                    while (r.next()) {
                        out.add(totalOf(r));
                    }
                    return out;
                }
            }
        });
    }

    private static UsageTotal totalOf(ResultSet r) throws SQLException {
        return new UsageTotal(r.getString(1), r.getString(2), LocalDate.parse(r.getString(3)), r.getLong(4),
                r.getLong(5), r.getLong(6), r.getDouble(7));
    }

    @Override
    public void close() {
        db.close();
    }
}
