package dev.strata.server.audit;

import java.time.Instant;
import java.util.List;

/** Stores audit records and answers queries over them. */
public interface AuditLog {

    /** Appends one record; it is durable when this returns. */
    void append(AuditRecord record);

    List<AuditRecord> query(AuditQuery query);

    /** Total cost of a tenant's requests at or after {@code since} (seeds budgets after a restart). */
    double spentUsd(String tenant, Instant since);
}
