package dev.strata.server.cost;

import java.util.List;

/**
 * Where served calls' usage is kept and added up. The embedded default is
 * {@link InMemoryUsageStore} (lost on restart); a shared store (SQLite, PostgreSQL) implements the
 * same two methods.
 */
public interface UsageStore {

    /** Adds one call's usage; called once per served call, on the request thread. */
    void add(UsageEntry entry);

    /** Totals per tenant, model and day matching {@code query}, ordered by day, tenant, model. */
    List<UsageTotal> totals(UsageQuery query);
}
