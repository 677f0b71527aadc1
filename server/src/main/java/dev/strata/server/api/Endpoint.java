package dev.strata.server.api;

/** One route's handler. Failures propagate to {@link ApiHandler}, which maps them once. */
@FunctionalInterface
interface Endpoint {
    void handle(Exchange exchange) throws Exception;
}
