package dev.strata.server.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** The outcome of one backend call: an answer or a failure, both expected. */
public sealed interface BackendResult {
    /** The backend that answered or failed, e.g. {@code fast/replica-a}. */
    String servedBy();

    /**
     * @param body       the {@code chat.completion} object (for a stream, assembled from its chunks)
     * @param asReceived the upstream's bytes {@code body} was parsed from, or null: the gateway sends
     *                   them to the client as they are instead of serialising {@code body} again, so
     *                   whoever changes {@code body} must make a new answer without them
     */
    record Answered(ObjectNode body, String servedBy, byte[] asReceived) implements BackendResult {
        public Answered {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(servedBy, "servedBy");
        }

        /** An answer that is only a tree (assembled, translated or made here). */
        public Answered(ObjectNode body, String servedBy) {
            this(body, servedBy, null);
        }
    }

    /**
     * @param status           the upstream's HTTP status, or 0 when there was none
     * @param retryAfterMillis the upstream's {@code Retry-After}, or -1
     * @param streamStarted    whether any chunk reached the sink (then nothing may be retried)
     */
    record Failed(Failure failure, int status, String message, long retryAfterMillis, boolean streamStarted,
            String servedBy) implements BackendResult {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(servedBy, "servedBy");
            message = message == null ? failure.name().toLowerCase(java.util.Locale.ROOT) : message;
        }

        public static Failed of(Failure failure, String message, String servedBy) {
            return new Failed(failure, 0, message, -1, false, servedBy);
        }

        /** This failure after some chunks were sent. */
        public Failed afterStreamStarted() {
            return new Failed(failure, status, message, retryAfterMillis, true, servedBy);
        }
    }
}
