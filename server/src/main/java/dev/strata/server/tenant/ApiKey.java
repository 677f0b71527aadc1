package dev.strata.server.tenant;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored API key: everything but the secret, of which only a salted hash is kept.
 *
 * @param id         public identifier, also the lookup part of the key text ({@code sk-strata-<id>_<secret>})
 * @param tenant     the tenant the key belongs to
 * @param saltHex    per-key random salt
 * @param hashHex    SHA-256(salt || secret)
 * @param quota      limits of this key on top of its tenant's
 * @param createdAt  when it was created
 * @param revokedAt  when it was revoked, or null while valid
 */
public record ApiKey(String id, String tenant, String saltHex, String hashHex, Quota quota, Instant createdAt,
        Instant revokedAt) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(saltHex, "saltHex");
        Objects.requireNonNull(hashHex, "hashHex");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public Optional<Instant> revokedAtIfAny() {
        return Optional.ofNullable(revokedAt);
    }
}
