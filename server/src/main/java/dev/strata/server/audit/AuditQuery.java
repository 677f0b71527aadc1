package dev.strata.server.audit;

import java.time.Instant;

/**
 * Filters for {@link AuditLog#query}; null fields do not filter. Results are oldest first.
 *
 * @param limit most rows returned (1..100000)
 */
public record AuditQuery(String tenant, String keyId, String model, Integer status, Instant since, Instant until,
        int limit) {
    public static final int MAX_LIMIT = 100_000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in [1, " + MAX_LIMIT + "], got " + limit);
        }
    }

    public static AuditQuery all(int limit) {
        return new AuditQuery(null, null, null, null, null, null, limit);
    }
}
