/**
 * Counters behind rate limits, concurrency caps and budgets. {@link dev.strata.server.quota.QuotaBackend}
 * is the one interface: token buckets (RPM, TPM), bounded counters (concurrent requests) and plain
 * sums (spend). {@link dev.strata.server.quota.LocalQuotaBackend} keeps them in this process;
 * {@link dev.strata.server.quota.RedisQuotaBackend} keeps them in Redis, one Lua script per
 * operation, so several replicas share exact limits; {@link dev.strata.server.quota.FailoverQuotaBackend}
 * decides what happens while Redis is unreachable ({@link dev.strata.server.quota.FailureMode}).
 */
package dev.strata.server.quota;
