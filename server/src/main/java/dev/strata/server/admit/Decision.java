package dev.strata.server.admit;

/** The outcome of {@link Admission#admit()}. */
public sealed interface Decision {

    /** Go ahead; close the permit when the request is done (it is idempotent). */
    record Admitted(Permit permit) implements Decision {}

    /** Not now: the client should retry after {@code retryAfterSeconds}. */
    record Rejected(String reason, int retryAfterSeconds) implements Decision {}

    /** A slot held by an admitted request. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }
}
