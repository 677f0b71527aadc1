package dev.strata.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.Tenant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcTenantStoreTest {
    @TempDir
    Path dir;

    static void exercise(TenantStore store) {
        Quota q = new Quota(10, 1000, 2, 256, Set.of("a", "b"), 5.0, 100.0, 3, 2, "small");
        store.putTenant(new Tenant("acme", q, true));
        assertThat(store.tenant("acme")).contains(new Tenant("acme", q, true));
        store.putTenant(new Tenant("acme", Quota.NONE, false));
        assertThat(store.tenant("acme").orElseThrow().quota()).isEqualTo(Quota.NONE);
        ApiKey key = new ApiKey("0123456789ab", "acme", "aa", "bb", q, Instant.ofEpochMilli(1000), null);
        store.addKey(key);
        assertThat(store.key(key.id())).contains(key);
        assertThat(store.keys("acme")).containsExactly(key);
        assertThat(store.keys("other")).isEmpty();
        assertThat(store.revokeKey(key.id(), Instant.ofEpochMilli(2000))).isTrue();
        assertThat(store.revokeKey(key.id(), Instant.ofEpochMilli(3000))).as("already revoked").isFalse();
        assertThat(store.key(key.id()).orElseThrow().revokedAt()).isEqualTo(Instant.ofEpochMilli(2000));
        store.addKey(new ApiKey("ba9876543210", "acme", "aa", "bb", Quota.NONE, Instant.ofEpochMilli(5000), null));
        assertThat(store.deleteTenant("acme", Instant.ofEpochMilli(6000))).isTrue();
        assertThat(store.tenant("acme")).isEmpty();
        assertThat(store.key("ba9876543210").orElseThrow().revoked()).as("deleting a tenant revokes its keys").isTrue();
        assertThat(store.deleteTenant("acme", Instant.EPOCH)).isFalse();
    }

    @Test
    void sqliteFileRoundTripsAndPersists() {
        try (Database db = Database.sqlite(dir)) {
            exercise(new JdbcTenantStore(db));
            new JdbcTenantStore(db).putTenant(Tenant.named("kept"));
        }
        assertThat(dir.resolve(Database.SQLITE_FILE)).exists();
        try (Database db = Database.sqlite(dir)) {
            assertThat(new JdbcTenantStore(db).tenants()).extracting(Tenant::name).containsExactly("kept");
        }
    }
}
