package dev.strata.server.cost;

import java.util.List;

/**
 * Where served calls' usage is kept and added up: {@link JdbcUsageStore} in the tenancy database
 * (the SQLite file of {@code --data-dir}, or PostgreSQL), so totals survive restarts, or
 * {@link InMemoryUsageStore} when the server has no database (lost on restart).
 */
public interface UsageStore extends AutoCloseable {

    /** Adds one call's usage; called once per served call, on the request thread. */
    void add(UsageEntry entry);

    /** Totals per tenant, model and day matching {@code query}, ordered by day, tenant, model. */
    List<UsageTotal> totals(UsageQuery query);

    /** Releases what the store holds (a database connection); nothing by default. */
    @Override
    default void close() {}
}
