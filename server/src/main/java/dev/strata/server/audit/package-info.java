/**
 * The audit log: one {@link dev.strata.server.audit.AuditRecord} per API request — who, which
 * model, tokens, cost, status, latency, queue wait, and SHA-256 hashes of prompt and output (their
 * text only for tenants that opt in). {@link dev.strata.server.audit.CallRecord} collects the facts
 * while the request runs; {@link dev.strata.server.audit.AuditLog} stores and queries the rows
 * (SQLite or PostgreSQL, so the log survives restarts); {@link dev.strata.server.audit.BatchingAuditLog}
 * takes the storing (and hashing) off the request threads: a bounded queue and one writer thread
 * that stores batches in one transaction each.
 */
package dev.strata.server.audit;
