package dev.strata.server.cost;

import dev.strata.server.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link UsageStore} in the tenancy database's {@code usage_daily} table (SQLite or PostgreSQL):
 * one row per tenant, model and UTC day, bumped in place with an upsert
 * ({@code INSERT … ON CONFLICT DO UPDATE}, which both databases understand), so the table grows with
 * distinct triples, not with calls, and totals survive a restart. Days are stored as ISO
 * {@code YYYY-MM-DD} text, whose string order is date order.
 *
 * <p>Write-behind: a call only adds its usage to an in-memory delta per (tenant, model, day); the
 * deltas go to the database in one transaction at most every {@code flushNanos} (by the first call
 * after that), before every query, and on {@link #close}. So the request path does not wait on the
 * database (nor contend with other replicas' writes on a shared SQLite file), and a crash loses at
 * most the last interval; a graceful stop loses nothing. A failed flush keeps its deltas for the
 * next one.
 *
 * <p>Owns its {@link Database}: {@link #close} flushes and closes it.
 */
public final class JdbcUsageStore implements UsageStore {
    /** How often usage reaches the database by default. */
    public static final long DEFAULT_FLUSH_NANOS = 1_000_000_000L;

    private static final String UPSERT = "INSERT INTO usage_daily (tenant, model, day, requests, prompt_tokens,"
            + " completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, model, day) DO UPDATE"
            + " SET requests = usage_daily.requests + excluded.requests,"
            + " prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens,"
            + " completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens,"
            + " cost_usd = usage_daily.cost_usd + excluded.cost_usd";
    private static final String SELECT = "SELECT tenant, model, day, requests, prompt_tokens, completion_tokens,"
            + " cost_usd FROM usage_daily WHERE day >= ? AND day <= ?";
    private static final String ORDER = " ORDER BY day, tenant, model";

    private record Key(String tenant, String model, LocalDate day) {}

    private final Database db;
    private final LongSupplier nanoTime;
    private final long flushNanos;
    private final Map<Key, UsageTotal> pending = new ConcurrentHashMap<>();
    private final AtomicLong lastFlushNanos;

    /** Write-behind every {@link #DEFAULT_FLUSH_NANOS}. */
    public JdbcUsageStore(Database db) {
        this(db, System::nanoTime, DEFAULT_FLUSH_NANOS);
    }

    /** @param flushNanos longest time usage waits in memory; 0 writes every call through */
    public JdbcUsageStore(Database db, LongSupplier nanoTime, long flushNanos) {
        if (flushNanos < 0) {
            throw new IllegalArgumentException("flushNanos must be >= 0, got " + flushNanos);
        }
        this.db = db;
        this.nanoTime = nanoTime;
        this.flushNanos = flushNanos;
        this.lastFlushNanos = new AtomicLong(nanoTime.getAsLong());
    }

    @Override
    public void add(UsageEntry e) {
        LocalDate day = LocalDate.ofInstant(e.at(), ZoneOffset.UTC);
        UsageTotal delta = new UsageTotal(e.tenant(), e.model(), day, 1, e.promptTokens(), e.completionTokens(),
                e.costUsd());
        pending.merge(new Key(e.tenant(), e.model(), day), delta, JdbcUsageStore::sum);
        long now = nanoTime.getAsLong();
        long last = lastFlushNanos.get();
        if (now - last >= flushNanos && lastFlushNanos.compareAndSet(last, now)) {
            flush();
        }
    }

    private static UsageTotal sum(UsageTotal a, UsageTotal b) {
        return new UsageTotal(a.tenant(), a.model(), a.day(), a.requests() + b.requests(),
                a.promptTokens() + b.promptTokens(), a.completionTokens() + b.completionTokens(),
                a.costUsd() + b.costUsd());
    }

    /** Writes every pending delta in one transaction; on failure the deltas stay pending. */
    public void flush() {
        List<UsageTotal> taken = new ArrayList<>();
        for (Key k : pending.keySet()) {
            UsageTotal t = pending.remove(k);
            if (t != null) {
                taken.add(t);
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        try {
            db.with(c -> write(c, taken));
        } catch (RuntimeException failed) {
            taken.forEach(t -> pending.merge(new Key(t.tenant(), t.model(), t.day()), t, JdbcUsageStore::sum));
            throw failed;
        }
    }

    private static int write(Connection c, List<UsageTotal> deltas) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement(UPSERT)) {
            for (UsageTotal t : deltas) {
                s.setString(1, t.tenant());
                s.setString(2, t.model());
                s.setString(3, t.day().toString());
                s.setLong(4, t.requests());
                s.setLong(5, t.promptTokens());
                s.setLong(6, t.completionTokens());
                s.setDouble(7, t.costUsd());
                s.executeUpdate();
            }
            c.commit();
            return deltas.size();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    @Override
    public List<UsageTotal> totals(UsageQuery query) {
        flush();
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

    /** Flushes what is pending, then closes the database. */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            db.close();
        }
    }
}
