package dev.strata.server.tenant;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A team or application sharing the server.
 *
 * @param name       unique, {@code [A-Za-z0-9._-]{1,64}}
 * @param quota      limits for the tenant as a whole
 * @param storeText  audit log keeps prompt and output text (otherwise only their SHA-256)
 */
public record Tenant(String name, Quota quota, boolean storeText) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Tenant {
        Objects.requireNonNull(quota, "quota");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tenant name must match [A-Za-z0-9._-]{1,64}, got '" + name + "'");
        }
    }

    public static Tenant named(String name) {
        return new Tenant(name, Quota.NONE, false);
    }
}
