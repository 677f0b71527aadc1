package dev.strata.server.audit;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** Stores audit records and answers queries over them. */
public interface AuditLog {

    /**
     * Appends one record. A database log ({@link JdbcAuditLog}) has stored it when this returns; a
     * {@link BatchingAuditLog} has queued it (stored within milliseconds, drained on close).
     */
    void append(AuditRecord record);

    /** Appends several records; a database log does it in one transaction. */
    default void appendAll(List<AuditRecord> records) {
        records.forEach(this::append);
    }

    /**
     * Appends the record {@code finished} builds. This log builds and stores it now; a queued log
     * ({@link BatchingAuditLog}) builds it on its writer thread, so the hashing of prompt and output
     * leaves the request thread too.
     */
    default void submit(Supplier<AuditRecord> finished) {
        append(finished.get());
    }

    List<AuditRecord> query(AuditQuery query);

    /** Total cost of a tenant's requests at or after {@code since} (seeds budgets after a restart). */
    double spentUsd(String tenant, Instant since);
}
