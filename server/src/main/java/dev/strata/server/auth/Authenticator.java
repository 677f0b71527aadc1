package dev.strata.server.auth;

import dev.strata.server.store.TenantStore;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Tenant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Resolves {@code Authorization: Bearer sk-strata-…} to a {@link Caller}. With authentication off
 * every request is {@link Caller#ANONYMOUS}. Key and tenant records are cached for at most
 * {@code cacheNanos} (the store is the source of truth), so a key revoked on one replica stops
 * working on every replica within that time — one second or less by default — while the common
 * case costs one hash and no database round trip.
 */
public final class Authenticator {
    private final TenantStore store;
    private final boolean required;
    private final long cacheNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    private record Cached(Optional<ApiKey> key, Optional<Tenant> tenant, long loadedNanos) {}

    /**
     * Cumulative counts of the key cache: lookups answered from it, lookups that went to the store,
     * and entries dropped because they had expired.
     */
    public record CacheStats(long hits, long misses, long evictions) {}

    /**
     * @param required   false: every request is anonymous, no key needed (keys sent are ignored)
     * @param cacheNanos how long a looked-up key may be reused before the store is asked again
     */
    public Authenticator(TenantStore store, boolean required, long cacheNanos, LongSupplier nanoTime) {
        if (cacheNanos < 0) {
            throw new IllegalArgumentException("cacheNanos must be >= 0, got " + cacheNanos);
        }
        this.store = store;
        this.required = required;
        this.cacheNanos = cacheNanos;
        this.nanoTime = nanoTime;
    }

    /** The key cache's counts so far (for metrics). */
    public CacheStats cacheStats() {
        return new CacheStats(hits.sum(), misses.sum(), evictions.sum());
    }

    public boolean required() {
        return required;
    }

    /** @param authorization the {@code Authorization} header's value, or null */
    public AuthResult authenticate(String authorization) {
        if (!required) {
            return new AuthResult.Authenticated(Caller.ANONYMOUS);
        }
        if (authorization == null || authorization.isBlank()) {
            return new AuthResult.Denied("You didn't provide an API key. You need to provide your API key in an "
                    + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String text = authorization.strip();
        if (text.regionMatches(true, 0, "Bearer ", 0, 7)) {
            text = text.substring(7).strip();
        }
        Optional<KeyMaker.Parsed> parsed = KeyMaker.parse(text);
        if (parsed.isEmpty()) {
            return new AuthResult.Denied("Incorrect API key provided. Keys look like sk-strata-….");
        }
        Cached c = lookup(parsed.get().id());
        if (c.key().isEmpty() || !KeyMaker.matches(c.key().get(), parsed.get().secret())) {
            return new AuthResult.Denied("Incorrect API key provided: " + KeyMaker.PREFIX + parsed.get().id() + "_***.");
        }
        ApiKey key = c.key().get();
        if (key.revoked()) {
            return new AuthResult.Denied("API key " + key.id() + " has been revoked.");
        }
        if (c.tenant().isEmpty()) {
            return new AuthResult.Denied("API key " + key.id() + " belongs to tenant '" + key.tenant()
                    + "', which no longer exists.");
        }
        return new AuthResult.Authenticated(new Caller(c.tenant().get(), key));
    }

    private Cached lookup(String id) {
        long now = nanoTime.getAsLong();
        Cached c = cache.get(id);
        if (c != null && now - c.loadedNanos() < cacheNanos) {
            hits.increment();
            return c;
        }
        misses.increment();
        if (c != null) {
            evictions.increment();
        }
        Optional<ApiKey> key = store.key(id);
        Optional<Tenant> tenant = key.flatMap(k -> store.tenant(k.tenant()));
        Cached fresh = new Cached(key, tenant, now);
        if (key.isPresent()) {
            cache.put(id, fresh);
        } else {
            cache.remove(id);
        }
        return fresh;
    }
}
