package dev.strata.server.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One JDBC connection to the tenancy database, shared by the stores of one process and used under a
 * lock (statements are short; SQLite allows one writer anyway). Creates the schema on open. SQLite
 * runs in WAL mode with a busy timeout, so the CLI and a running server can use one file together.
 */
public final class Database implements AutoCloseable {
    /** The SQLite file's name inside {@code --data-dir}. */
    public static final String SQLITE_FILE = "strata.db";

    private final Connection connection;
    private final boolean postgres;
    private final ReentrantLock lock = new ReentrantLock();

    private Database(Connection connection, boolean postgres) {
        this.connection = connection;
        this.postgres = postgres;
    }

    /** Opens (creating if needed) {@code dataDir/strata.db}. */
    public static Database sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        return open("jdbc:sqlite:" + dataDir.resolve(SQLITE_FILE).toAbsolutePath(), null, null);
    }

    /** Opens a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL (user and password may be null). */
    public static Database open(String url, String user, String password) {
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (!postgres && !url.startsWith("jdbc:sqlite:")) {
            throw new StoreException("unsupported database URL (expected jdbc:sqlite: or jdbc:postgresql:): " + url,
                    null);
        }
        try {
            Connection c = user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user,
                    password);
            Database db = new Database(c, postgres);
            db.createSchema();
            return db;
        } catch (SQLException e) {
            throw new StoreException("cannot open database " + redact(url) + ": " + e.getMessage(), e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    private void createSchema() throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (!postgres) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA synchronous=NORMAL");
            }
            s.execute("CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, quota TEXT NOT NULL,"
                    + " store_text INTEGER NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
                    + " salt TEXT NOT NULL, hash TEXT NOT NULL, quota TEXT NOT NULL, created_ms BIGINT NOT NULL,"
                    + " revoked_ms BIGINT)");
            s.execute("CREATE TABLE IF NOT EXISTS audit (request_id TEXT PRIMARY KEY, time_ms BIGINT NOT NULL,"
                    + " tenant TEXT, key_id TEXT, endpoint TEXT, model TEXT, status INTEGER NOT NULL,"
                    + " prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,"
                    + " cost_usd DOUBLE PRECISION NOT NULL, latency_ms BIGINT NOT NULL, queue_ms BIGINT NOT NULL,"
                    + " error TEXT, prompt_sha256 TEXT, output_sha256 TEXT, prompt_text TEXT, output_text TEXT)");
            s.execute("CREATE INDEX IF NOT EXISTS audit_time ON audit (time_ms)");
            s.execute("CREATE INDEX IF NOT EXISTS audit_tenant_time ON audit (tenant, time_ms)");
            s.execute("CREATE TABLE IF NOT EXISTS usage_daily (tenant TEXT NOT NULL, model TEXT NOT NULL,"
                    + " day TEXT NOT NULL, requests BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL,"
                    + " completion_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL,"
                    + " PRIMARY KEY (tenant, model, day))");
            s.execute("CREATE INDEX IF NOT EXISTS usage_daily_day ON usage_daily (day)");
        }
    }

    /** Runs {@code work} on the connection, holding the lock; SQL failures become {@link StoreException}. */
    public <T> T with(SqlWork<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A unit of work on the connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    public boolean postgres() {
        return postgres;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("closing the database failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
