/**
 * Durable state of tenancy: tenants, API keys (hashes only) and the audit log's rows, behind
 * {@link dev.strata.server.store.TenantStore}. {@link dev.strata.server.store.Database} opens a local
 * SQLite file (the default, one process) or a PostgreSQL server (several replicas) with the same
 * schema; {@link dev.strata.server.store.JdbcTenantStore} is the one implementation of both.
 */
package dev.strata.server.store;
