package dev.strata.server.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One request, as the audit log keeps it.
 *
 * @param requestId      the id the server gave the request
 * @param time           when the request arrived
 * @param tenant         the caller's tenant (null when authentication is off or failed)
 * @param keyId          the key's id (never the key)
 * @param endpoint       method and path, e.g. {@code POST /v1/chat/completions}
 * @param model          the model that served (after any downgrade), or null
 * @param status         the HTTP status returned
 * @param promptTokens   prompt tokens
 * @param completionTokens generated tokens
 * @param costUsd        cost by the price table
 * @param latencyMillis  arrival to last byte
 * @param queueMillis    time waiting for an admission slot
 * @param error          the error message returned, or null
 * @param promptSha256   hex SHA-256 of the prompt (see {@link CallRecord}), or null
 * @param outputSha256   hex SHA-256 of the generated text, or null
 * @param promptText     the prompt, only for tenants storing text
 * @param outputText     the output, only for tenants storing text
 */
public record AuditRecord(String requestId, Instant time, String tenant, String keyId, String endpoint,
        String model, int status, int promptTokens, int completionTokens, double costUsd, long latencyMillis,
        long queueMillis, String error, String promptSha256, String outputSha256, String promptText,
        String outputText) {
    public AuditRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(time, "time");
    }
}
