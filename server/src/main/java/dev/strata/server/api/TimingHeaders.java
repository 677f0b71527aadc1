package dev.strata.server.api;

/**
 * {@code x-strata-engine-micros} and {@code x-strata-overhead-micros} on whole (non-streaming)
 * responses: time inside the engine (submit to last event) and the rest of the time from the
 * request's headers being read to the response being written, less the time spent reading the
 * body (which is mostly waiting for the client to send it) — the HTTP layer's own cost, which
 * {@code strata bench http} reports.
 */
final class TimingHeaders {
    private TimingHeaders() {}

    static void add(Exchange exchange, long engineNanos) {
        long total = System.nanoTime() - exchange.receivedNanos() - exchange.bodyReadNanos();
        exchange.header("x-strata-engine-micros", Long.toString(engineNanos / 1000));
        exchange.header("x-strata-overhead-micros", Long.toString(Math.max(0, total - engineNanos) / 1000));
    }
}
