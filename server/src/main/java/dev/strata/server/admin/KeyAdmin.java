package dev.strata.server.admin;

import dev.strata.server.auth.KeyMaker;
import dev.strata.server.store.TenantStore;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Tenant and key administration over a {@link TenantStore}. Outcomes are values: a missing tenant
 * or key is an empty result, never an exception.
 */
public final class KeyAdmin {
    private final TenantStore store;
    private final KeyMaker keys;
    private final Clock clock;

    public KeyAdmin(TenantStore store, KeyMaker keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    /** Creates a key for {@code tenant}, creating the tenant (without limits) if it does not exist. */
    public KeyMaker.NewKey createKey(String tenant, Quota quota) {
        if (store.tenant(tenant).isEmpty()) {
            store.putTenant(Tenant.named(tenant));
        }
        KeyMaker.NewKey made = keys.create(tenant, quota, clock.instant());
        store.addKey(made.key());
        return made;
    }

    /** A new key with the same tenant and limits; the old one is revoked. Empty when unknown or revoked. */
    public Optional<KeyMaker.NewKey> rotateKey(String id) {
        Optional<ApiKey> old = store.key(id).filter(k -> !k.revoked());
        if (old.isEmpty()) {
            return Optional.empty();
        }
        KeyMaker.NewKey made = keys.create(old.get().tenant(), old.get().quota(), clock.instant());
        store.addKey(made.key());
        store.revokeKey(id, clock.instant());
        return Optional.of(made);
    }

    public boolean revokeKey(String id) {
        return store.revokeKey(id, clock.instant());
    }

    public List<ApiKey> keys(String tenant) {
        return store.keys(tenant);
    }

    public Optional<ApiKey> key(String id) {
        return store.key(id);
    }

    public void putTenant(Tenant tenant) {
        store.putTenant(tenant);
    }

    public Optional<Tenant> tenant(String name) {
        return store.tenant(name);
    }

    public List<Tenant> tenants() {
        return store.tenants();
    }

    /** Deletes the tenant and revokes all its keys. */
    public boolean deleteTenant(String name) {
        return store.deleteTenant(name, clock.instant());
    }
}
