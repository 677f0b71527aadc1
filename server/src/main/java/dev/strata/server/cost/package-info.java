/**
 * What calls cost: the price table from the configuration ({@link dev.strata.server.cost.PriceTable}),
 * the usage record of every call, and the store that aggregates them by tenant, model and day for
 * {@code GET /v1/usage} ({@link dev.strata.server.cost.UsageStore}: in the tenancy database,
 * {@link dev.strata.server.cost.JdbcUsageStore}, or in memory).
 */
package dev.strata.server.cost;
