package dev.strata.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.tenant.ApiKey;
import dev.strata.server.tenant.Quota;
import dev.strata.server.tenant.QuotaJson;
import dev.strata.server.tenant.Tenant;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link TenantStore} on SQLite or PostgreSQL; quotas are stored as their JSON ({@link QuotaJson}). */
public final class JdbcTenantStore implements TenantStore {
    private final Database db;
    private final ObjectMapper json = new ObjectMapper();

    public JdbcTenantStore(Database db) {
        this.db = db;
    }

    @Override
    public void putTenant(Tenant tenant) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tenants (name, quota, store_text) VALUES (?, ?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET quota = excluded.quota, store_text = excluded.store_text")) {
                s.setString(1, tenant.name());
                s.setString(2, QuotaJson.write(tenant.quota()).toString());
                s.setInt(3, tenant.storeText() ? 1 : 0);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Tenant> tenant(String name) {
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, quota, store_text FROM tenants WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(tenantOf(r)) : Optional.<Tenant>empty();
                }
            }
        });
    }

    @Override
    public List<Tenant> tenants() {
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, quota, store_text FROM tenants ORDER BY name");
                    ResultSet r = s.executeQuery()) {
                List<Tenant> out = new ArrayList<>();
                while (r.next()) {
                    out.add(tenantOf(r));
                }
                return out;
            }
        });
    }

    @Override
    public boolean deleteTenant(String name, Instant now) {
        return db.with(c -> {
            try (PreparedStatement revoke = c.prepareStatement(
                    "UPDATE api_keys SET revoked_ms = ? WHERE tenant = ? AND revoked_ms IS NULL");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM tenants WHERE name = ?")) {
                revoke.setLong(1, now.toEpochMilli());
                revoke.setString(2, name);
                revoke.executeUpdate();
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void addKey(ApiKey key) {
        db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (id, tenant, salt, hash, quota,"
                    + " created_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, key.id());
                s.setString(2, key.tenant());
                s.setString(3, key.saltHex());
                s.setString(4, key.hashHex());
                s.setString(5, QuotaJson.write(key.quota()).toString());
                s.setLong(6, key.createdAt().toEpochMilli());
                if (key.revokedAt() == null) {
                    s.setNull(7, java.sql.Types.BIGINT);
                } else {
                    s.setLong(7, key.revokedAt().toEpochMilli());
                }
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<ApiKey> key(String id) {
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, tenant, salt, hash, quota, created_ms, revoked_ms"
                    + " FROM api_keys WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(keyOf(r)) : Optional.<ApiKey>empty();
                }
            }
        });
    }

    @Override
    public List<ApiKey> keys(String tenant) {
        return db.with(c -> {
            String sql = "SELECT id, tenant, salt, hash, quota, created_ms, revoked_ms FROM api_keys"
                    + (tenant == null ? "" : " WHERE tenant = ?") + " ORDER BY created_ms, id";
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (tenant != null) {
                    s.setString(1, tenant);
                }
                try (ResultSet r = s.executeQuery()) {
                    List<ApiKey> out = new ArrayList<>();
                    while (r.next()) {
                        out.add(keyOf(r));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public boolean revokeKey(String id, Instant now) {
        return db.with(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE api_keys SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, id);
                return s.executeUpdate() > 0;
            }
        });
    }

    private Tenant tenantOf(ResultSet r) throws SQLException {
        return new Tenant(r.getString(1), quota(r.getString(2)), r.getInt(3) != 0);
    }

    private ApiKey keyOf(ResultSet r) throws SQLException {
        long revoked = r.getLong(7);
        Instant revokedAt = r.wasNull() ? null : Instant.ofEpochMilli(revoked);
        return new ApiKey(r.getString(1), r.getString(2), r.getString(3), r.getString(4), quota(r.getString(5)),
                Instant.ofEpochMilli(r.getLong(6)), revokedAt);
    }

    private Quota quota(String text) throws SQLException {
        try {
            return QuotaJson.read(json.readTree(text), "quota");
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new SQLException("stored quota is unreadable: " + e.getMessage(), e);
        }
    }
}
