package dev.strata.server.audit;

import dev.strata.server.auth.Caller;
import dev.strata.server.cost.PriceTable;
import dev.strata.server.store.StoreException;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * Opens and closes the audit record of one request, whatever transport it came in on (HTTP
 * {@code /v1}, the WebSocket {@code /v1/stream}, gRPC {@code strata.v1.Strata}): the same clock,
 * the same cost from the price table, the same log. A record that cannot be stored is logged as an
 * error and the request's answer stands: the client has already been served.
 */
public final class Auditor {
    private static final System.Logger LOG = System.getLogger(Auditor.class.getName());

    private final AuditLog log;
    private final PriceTable prices;
    private final Clock clock;
    private final LongSupplier nanoTime;

    public Auditor(AuditLog log, PriceTable prices, Clock clock, LongSupplier nanoTime) {
        this.log = log;
        this.prices = prices;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** A record for a request that arrives now. */
    public CallRecord open(String requestId, Caller caller) {
        return open(requestId, caller, nanoTime.getAsLong());
    }

    /** @param startNanos {@link System#nanoTime()}-scale instant the request arrived (latency is measured from it) */
    public CallRecord open(String requestId, Caller caller, long startNanos) {
        return new CallRecord(requestId, clock.instant(), startNanos, caller);
    }

    /**
     * Stores the finished record (through a {@link BatchingAuditLog}: queues it; its hashes are
     * computed and it is written on the log's writer thread).
     *
     * @param endpoint e.g. {@code POST /v1/chat/completions}, {@code WS /v1/stream}, {@code GRPC strata.v1.Strata/Chat}
     * @param status   the HTTP status the request got (for gRPC and WebSocket: what {@code /v1} answers for the same outcome)
     * @param error    the error message returned, or null
     */
    public void close(CallRecord record, String endpoint, int status, String error) {
        String model = record.model();
        double cost = model == null ? 0 : prices.costUsd(model, record.promptTokens(), record.completionTokens());
        try {
            long endNanos = nanoTime.getAsLong();
            log.submit(() -> record.finish(endpoint, status, error, cost, endNanos));
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.ERROR, "audit record " + record.requestId() + " was not stored", e);
        }
    }
}
