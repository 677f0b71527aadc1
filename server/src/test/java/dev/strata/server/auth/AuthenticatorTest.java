package dev.strata.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.store.Database;
import dev.strata.server.store.JdbcTenantStore;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private final Database db = Database.open("jdbc:sqlite::memory:", null, null);
    private final JdbcTenantStore store = new JdbcTenantStore(db);
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final Authenticator auth = new Authenticator(store, true, 500_000_000L, nanos::get);
    private final KeyMaker maker = new KeyMaker(new SecureRandom());

    @AfterEach
    void close() {
        db.close();
    }

    private KeyMaker.NewKey key(String tenant) {
        store.putTenant(Tenant.named(tenant));
        KeyMaker.NewKey k = maker.create(tenant, Quota.NONE, Instant.EPOCH);
        store.addKey(k.key());
        return k;
    }

    @Test
    void validKeyResolvesToItsTenant() {
        KeyMaker.NewKey k = key("acme");
        AuthResult r = auth.authenticate("Bearer " + k.text());
        assertThat(r).isInstanceOfSatisfying(AuthResult.Authenticated.class,
                a -> assertThat(a.caller().tenantName()).isEqualTo("acme"));
    }

    @Test
    void missingWrongAndForeignKeysAreDenied() {
        KeyMaker.NewKey k = key("acme");
        assertThat(auth.authenticate(null)).isInstanceOf(AuthResult.Denied.class);
        assertThat(auth.authenticate("Bearer sk-other")).isInstanceOf(AuthResult.Denied.class);
        String wrongSecret = k.text().substring(0, k.text().length() - 2) + "zz";
        assertThat(auth.authenticate("Bearer " + wrongSecret)).isInstanceOfSatisfying(AuthResult.Denied.class,
                d -> assertThat(d.message()).doesNotContain(k.text().substring(k.text().indexOf('_') + 1)));
    }

    @Test
    void keyCacheCountsHitsMissesAndExpiredEntries() {
        KeyMaker.NewKey k = key("acme");
        assertThat(auth.cacheStats()).isEqualTo(new Authenticator.CacheStats(0, 0, 0));
        auth.authenticate("Bearer " + k.text()); // miss: loaded from the store
        auth.authenticate("Bearer " + k.text()); // hit
        nanos.addAndGet(100_000_000L);
        auth.authenticate("Bearer " + k.text()); // hit
        nanos.addAndGet(500_000_000L);
        auth.authenticate("Bearer " + k.text()); // expired: evicted and loaded again
        auth.authenticate("Bearer " + k.text()); // hit
        assertThat(auth.cacheStats()).isEqualTo(new Authenticator.CacheStats(3, 2, 1));
    }

    @Test
    void revocationTakesEffectWhenTheCacheEntryExpires() {
        KeyMaker.NewKey k = key("acme");
        assertThat(auth.authenticate("Bearer " + k.text())).isInstanceOf(AuthResult.Authenticated.class);
        store.revokeKey(k.key().id(), Instant.EPOCH);
        nanos.addAndGet(100_000_000L);
        assertThat(auth.authenticate("Bearer " + k.text())).as("still cached").isInstanceOf(AuthResult.Authenticated.class);
        nanos.addAndGet(400_000_000L);
        assertThat(auth.authenticate("Bearer " + k.text())).isInstanceOfSatisfying(AuthResult.Denied.class,
                d -> assertThat(d.message()).contains("revoked"));
    }

    @Test
    void authOffMakesEveryoneAnonymous() {
        Authenticator open = new Authenticator(store, false, 0, nanos::get);
        assertThat(open.authenticate(null)).isEqualTo(new AuthResult.Authenticated(Caller.ANONYMOUS));
    }

    @Test
    void adminKeyComparesWholeKey() {
        AdminAuth admin = new AdminAuth("s3cret");
        assertThat(admin.allows("Bearer s3cret")).isTrue();
        assertThat(admin.allows("Bearer s3cre")).isFalse();
        assertThat(new AdminAuth(null).allows("Bearer ")).isFalse();
    }
}
