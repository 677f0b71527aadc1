package dev.strata.server.store;

/** The database failed (unreachable, corrupt, schema mismatch): a server fault, not a client's. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
