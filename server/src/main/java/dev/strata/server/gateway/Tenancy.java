package dev.strata.server.gateway;

import dev.strata.server.admin.KeyAdmin;
import dev.strata.server.admit.Admission;
import dev.strata.server.admit.FairQueue;
import dev.strata.server.admit.MeteredAdmission;
import dev.strata.server.admit.TenantAdmission;
import dev.strata.server.audit.AuditLog;
import dev.strata.server.audit.Auditor;
import dev.strata.server.audit.BatchingAuditLog;
import dev.strata.server.audit.JdbcAuditLog;
import dev.strata.server.auth.AdminAuth;
import dev.strata.server.auth.Authenticator;
import dev.strata.server.auth.KeyMaker;
import dev.strata.server.config.TenancyConfig;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.metrics.LimiterMetrics;
import dev.strata.server.quota.FailoverQuotaBackend;
import dev.strata.server.quota.LocalQuotaBackend;
import dev.strata.server.quota.QuotaBackend;
import dev.strata.server.quota.RedisQuotaBackend;
import dev.strata.server.store.Database;
import dev.strata.server.store.JdbcTenantStore;
import dev.strata.server.store.TenantStore;
import dev.strata.server.tenant.Tenant;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The tenancy side of one server, wired from {@link TenancyConfig}: the database (SQLite file,
 * PostgreSQL, or in memory when neither is configured), keys and tenants, the audit log, shared or
 * local counters, the fair queue and the admission stage that uses them all. Audit records are
 * written by one writer thread in batches ({@link BatchingAuditLog}); {@link #close} drains them.
 */
public final class Tenancy implements AutoCloseable {
    private static final long PROBE_NANOS = 1_000_000_000L;
    /** Audit records waiting for the writer at most (request threads block past it), and per transaction. */
    private static final int AUDIT_QUEUE = 8192;
    private static final int AUDIT_BATCH = 512;
    /** The audit writer's rest after a batch that was not full: a record is stored within about this long. */
    private static final long AUDIT_LINGER_NANOS = 2_000_000L;

    private final TenancyConfig config;
    private final Database database;
    private final TenantStore store;
    private final BatchingAuditLog audit;
    private final Auditor auditor;
    private final KeyAdmin keyAdmin;
    private final Authenticator authenticator;
    private final AdminAuth adminAuth;
    private final QuotaBackend counters;
    private final FairQueue queue;
    private final Admission admission;
    private final Admission upstreamAdmission;
    private final PriceTable prices;

    /**
     * @param prices            what each model costs (budgets, audit)
     * @param slots             requests served at once ({@code server.limits.max_concurrent_requests})
     * @param retryAfterSeconds {@code Retry-After} when refused for capacity
     * @param metrics           where refusals, queue waits and the limiter's state are exported
     */
    // Seven parameters: the one wiring point of tenancy; each is a different collaborator or setting.
    public Tenancy(TenancyConfig config, PriceTable prices, int slots, int retryAfterSeconds, Clock clock,
            LongSupplier nanoTime, LimiterMetrics metrics) {
        this.config = config;
        this.prices = prices;
        this.database = config.databaseUrl() != null ? Database.open(config.databaseUrl(), null, null)
                : config.dataDir().map(Database::sqlite).orElseGet(() -> Database.open("jdbc:sqlite::memory:", null, null));
        this.store = new JdbcTenantStore(database);
        this.audit = new BatchingAuditLog(new JdbcAuditLog(database), AUDIT_QUEUE, AUDIT_BATCH, AUDIT_LINGER_NANOS,
                Thread.ofPlatform().name("strata-audit-writer").daemon(true).factory());
        this.auditor = new Auditor(audit, prices, clock, nanoTime);
        this.keyAdmin = new KeyAdmin(store, new KeyMaker(new SecureRandom()), clock);
        config.tenants().forEach(store::putTenant);
        this.authenticator = new Authenticator(store, config.requireAuth(), config.keyCache().toNanos(), nanoTime);
        this.adminAuth = new AdminAuth(config.adminKey());
        LocalQuotaBackend local = new LocalQuotaBackend(nanoTime);
        if (config.redisUrl() != null) {
            this.counters = new FailoverQuotaBackend(new RedisQuotaBackend(config.redisUrl(), config.redisPrefix(),
                    config.redisTimeout()), local, config.onRedisFailure(), nanoTime, PROBE_NANOS);
        } else {
            this.counters = local;
            seedSpend(local, clock);
        }
        this.queue = new FairQueue(slots, config.maxQueuedPerTenant(), config.maxQueueWait().toNanos(), nanoTime);
        this.admission = new MeteredAdmission(new TenantAdmission(counters, queue, prices, clock,
                config.maxQueueWait().toNanos(), retryAfterSeconds), metrics);
        // Upstream requests use no local engine slot: the same counters, and a queue that never makes them wait.
        this.upstreamAdmission = new MeteredAdmission(new TenantAdmission(counters, new FairQueue(Integer.MAX_VALUE,
                0, config.maxQueueWait().toNanos(), nanoTime), prices, clock, config.maxQueueWait().toNanos(),
                retryAfterSeconds), metrics);
        failover().ifPresentOrElse(metrics::bind, metrics::bindLocal);
    }

    /** Local counters start empty; budgets continue from what the audit log says was spent. */
    private void seedSpend(LocalQuotaBackend local, Clock clock) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        for (Tenant t : store.tenants()) {
            if (t.quota().dailyBudgetUsd() == null && t.quota().monthlyBudgetUsd() == null) {
                continue;
            }
            double day = audit.spentUsd(t.name(), today.atStartOfDay(ZoneOffset.UTC).toInstant());
            double month = audit.spentUsd(t.name(), today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            local.add("spend:d:" + t.name() + ":" + today, Math.round(day * 1e9), 0);
            local.add("spend:m:" + t.name() + ":" + today.getYear() + "-" + today.getMonthValue(),
                    Math.round(month * 1e9), 0);
        }
    }

    public TenancyConfig config() {
        return config;
    }

    public TenantStore store() {
        return store;
    }

    public AuditLog audit() {
        return audit;
    }

    /** Opens and stores audit records (the WebSocket and gRPC transports; HTTP builds its own over the same log). */
    public Auditor auditor() {
        return auditor;
    }

    public KeyAdmin keyAdmin() {
        return keyAdmin;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public AdminAuth adminAuth() {
        return adminAuth;
    }

    public Admission admission() {
        return admission;
    }

    /**
     * Admission for requests the gateway routes to upstreams: every tenant and key limit, shared
     * with local requests, but no local engine slot.
     */
    public Admission upstreamAdmission() {
        return upstreamAdmission;
    }

    public FairQueue queue() {
        return queue;
    }

    public PriceTable prices() {
        return prices;
    }

    /** The Redis failover state, when counters are shared through Redis. */
    public Optional<FailoverQuotaBackend> failover() {
        return counters instanceof FailoverQuotaBackend f ? Optional.of(f) : Optional.empty();
    }

    /** Live numbers for {@code GET /admin/status}. */
    public java.util.Map<String, Object> status() {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("auth_required", config.requireAuth());
        out.put("limiter", failover().map(f -> f.degraded() ? "local-fallback(" + f.mode().name().toLowerCase(
                java.util.Locale.ROOT) + ")" : "redis").orElse("local"));
        failover().ifPresent(f -> out.put("redis_failovers", f.failovers()));
        FairQueue.Stats q = queue.stats();
        out.put("slots", queue.slots());
        out.put("busy", q.busy());
        out.put("waiting", q.waiting());
        out.put("granted_total", q.granted());
        out.put("queued_total", q.queued());
        out.put("queue_wait_seconds_total", q.waitNanosTotal() / 1e9);
        out.put("refused_total", q.refused());
        return out;
    }

    @Override
    public void close() {
        try {
            audit.close();
        } finally {
            try {
                counters.close();
            } finally {
                database.close();
            }
        }
    }
}
