package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.backend.BackendResult;
import java.util.Objects;

/**
 * What the gateway asks before it sends a routed request to an upstream, and tells it after: the
 * caller's tenant limits (admission on an estimate of the prompt's tokens, since upstream models
 * have no tokenizer here) and, at the end, settlement from what the upstream reports and the audit
 * record. The routing stage does not know about tenants; the server wires an implementation in.
 */
@FunctionalInterface
public interface RouteGuard {
    /** Admits everything and records nothing (a gateway without tenancy, tests). */
    RouteGuard OPEN = (authorization, body, features, receivedNanos) -> new Admitted(body, (result, status) -> { });

    /**
     * Admits one routed request, or says why not. Called once per request, before the first
     * upstream attempt; an {@link Admitted} request's {@link Pass#finish} must be called once.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param body          the request as the client sent it
     * @param features      what routing saw of it (model, estimated prompt tokens)
     * @param receivedNanos {@link System#nanoTime()}-scale arrival of the request
     */
    Entry admit(String authorization, ObjectNode body, RequestFeatures features, long receivedNanos);

    /** The answer of {@link #admit}. */
    sealed interface Entry permits Admitted, Refused {}

    /**
     * Go ahead with {@code body}: the request to send upstream (the client's, with its
     * {@code priority} capped to what the tenant may use).
     */
    record Admitted(ObjectNode body, Pass pass) implements Entry {
        public Admitted {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(pass, "pass");
        }
    }

    /** Refused before any upstream was called: send {@code status} with OpenAI's error object {@code error}. */
    record Refused(int status, Integer retryAfterSeconds, JsonNode error) implements Entry {
        public Refused {
            Objects.requireNonNull(error, "error");
        }
    }

    /** An admitted request's hold on its tenant's limits. */
    @FunctionalInterface
    interface Pass {
        /**
         * The request ended: settles tokens from the upstream's usage, frees its concurrency slots
         * and writes its audit record.
         *
         * @param result what the upstream answered, or null when there was no answer (no target, client gone)
         * @param status the HTTP status the client got
         */
        void finish(BackendResult result, int status);
    }
}
