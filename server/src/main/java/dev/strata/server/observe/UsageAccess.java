package dev.strata.server.observe;

/**
 * Who may read which tenants' usage on {@code GET /v1/usage}, from the request's
 * {@code Authorization} header: the admin key (or an open server) sees every tenant, a tenant's key
 * sees only its own tenant, anything else is refused.
 */
@FunctionalInterface
public interface UsageAccess {
    /** Everyone sees everything: a server without authentication. */
    UsageAccess OPEN = authorization -> new Scope.All();

    Scope scope(String authorization);

    /** What one caller may read. */
    sealed interface Scope {
        /** Every tenant. */
        record All() implements Scope {}

        /** Only {@code tenant}'s rows. */
        record OneTenant(String tenant) implements Scope {}

        /** Nothing: 401 with {@code message}. */
        record Denied(String message) implements Scope {}
    }
}
