package dev.strata.server.store;

import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Tenant;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tenants and their keys. Every method is one statement against the store, so two servers (or the
 * CLI and a server) sharing one database see each other's writes at once. "Not found" is an empty
 * result or {@code false}, never an exception; {@link StoreException} means the store itself failed.
 */
public interface TenantStore {

    /** Inserts or replaces the tenant of that name. */
    void putTenant(Tenant tenant);

    Optional<Tenant> tenant(String name);

    List<Tenant> tenants();

    /** Deletes the tenant and revokes its keys; false when there was none. */
    boolean deleteTenant(String name, Instant now);

    /** Inserts a new key; its tenant must exist. */
    void addKey(ApiKey key);

    Optional<ApiKey> key(String id);

    /** Keys of one tenant, or of all when {@code tenant} is null, oldest first. */
    List<ApiKey> keys(String tenant);

    /** Marks the key revoked; false when unknown or already revoked. */
    boolean revokeKey(String id, Instant now);
}
