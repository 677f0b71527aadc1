package dev.strata.server.auth;

import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Tenant;
import java.util.Objects;

/**
 * The authenticated identity of one request: its tenant and the key it used. {@link #ANONYMOUS} is
 * the caller when authentication is off (a local server): no tenant limits apply to it.
 */
public record Caller(Tenant tenant, ApiKey key) {
    public static final Caller ANONYMOUS = new Caller(null, null);

    public Caller {
        if ((tenant == null) != (key == null)) {
            throw new IllegalArgumentException("tenant and key are both set or both null");
        }
        if (key != null && !Objects.equals(key.tenant(), tenant.name())) {
            throw new IllegalArgumentException("key " + key.id() + " belongs to " + key.tenant() + ", not " + tenant.name());
        }
    }

    public boolean anonymous() {
        return tenant == null;
    }

    /** The tenant's name, or null when anonymous. */
    public String tenantName() {
        return tenant == null ? null : tenant.name();
    }

    /** The key's id, or null when anonymous. */
    public String keyId() {
        return key == null ? null : key.id();
    }
}
