package dev.strata.server.auth;

/** The outcome of {@link Authenticator#authenticate}: a caller, or why not (401). */
public sealed interface AuthResult {

    record Authenticated(Caller caller) implements AuthResult {}

    /** No usable key; {@code message} is for the client and never echoes the key. */
    record Denied(String message) implements AuthResult {}
}
