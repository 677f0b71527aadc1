package dev.strata.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.GatewayException.InvalidConfig;
import dev.strata.server.quota.FailureMode;
import dev.strata.server.tenant.QuotaJson;
import dev.strata.server.tenant.Tenant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Tenancy settings: authentication, where keys/tenants/audit live, shared counters, the admission
 * queue and tenants declared in the file: YAML sections {@code auth}, {@code storage}, {@code quota}
 * and {@code tenants} (see docs/tenants.md). Prices are the models' own ({@code models[].price}).
 *
 * @param requireAuth     every {@code /v1} request needs an API key
 * @param adminKey        the key for {@code /admin/*}, or null (admin API closed)
 * @param keyCache        how long a looked-up key is trusted (revocation delay across replicas)
 * @param dataDir         directory of the SQLite file, or empty for an in-memory database
 * @param databaseUrl     a {@code jdbc:postgresql:} URL (wins over {@code dataDir}), or null
 * @param redisUrl        {@code redis://…} for shared counters, or null for local ones
 * @param redisPrefix     key prefix in Redis
 * @param redisTimeout    per-command timeout
 * @param onRedisFailure  what limits do while Redis is unreachable
 * @param maxQueuedPerTenant waiting requests per tenant and priority class
 * @param maxQueueWait    longest wait for a slot before 503
 * @param tenants         tenants from the file, upserted into the store at start
 */
public record TenancyConfig(boolean requireAuth, String adminKey, Duration keyCache, Optional<Path> dataDir,
        String databaseUrl, String redisUrl, String redisPrefix, Duration redisTimeout, FailureMode onRedisFailure,
        int maxQueuedPerTenant, Duration maxQueueWait, List<Tenant> tenants) {

    public static final TenancyConfig DEFAULTS = new TenancyConfig(false, null, Duration.ofMillis(500),
            Optional.empty(), null, null, "strata:", Duration.ofMillis(1000), FailureMode.LOCAL, 0,
            Duration.ofSeconds(30), List.of());

    /** The top-level YAML keys this record binds. */
    public static final Set<String> SECTIONS = Set.of("auth", "storage", "quota", "tenants");

    public TenancyConfig {
        Objects.requireNonNull(keyCache, "keyCache");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(redisPrefix, "redisPrefix");
        Objects.requireNonNull(onRedisFailure, "onRedisFailure");
        tenants = List.copyOf(tenants);
        if (maxQueuedPerTenant < 0) {
            throw new IllegalArgumentException("quota.queue.max_queued_per_tenant must be >= 0");
        }
    }

    public TenancyConfig withRequireAuth(boolean required) {
        return new TenancyConfig(required, adminKey, keyCache, dataDir, databaseUrl, redisUrl, redisPrefix,
                redisTimeout, onRedisFailure, maxQueuedPerTenant, maxQueueWait, tenants);
    }

    public TenancyConfig withDataDir(Path dir) {
        return new TenancyConfig(requireAuth, adminKey, keyCache, Optional.of(dir), databaseUrl, redisUrl,
                redisPrefix, redisTimeout, onRedisFailure, maxQueuedPerTenant, maxQueueWait, tenants);
    }

    public TenancyConfig withRedis(String url, String prefix, FailureMode mode) {
        return new TenancyConfig(requireAuth, adminKey, keyCache, dataDir, databaseUrl, url, prefix, redisTimeout,
                mode, maxQueuedPerTenant, maxQueueWait, tenants);
    }

    public TenancyConfig withDatabaseUrl(String url) {
        return new TenancyConfig(requireAuth, adminKey, keyCache, dataDir, url, redisUrl, redisPrefix, redisTimeout,
                onRedisFailure, maxQueuedPerTenant, maxQueueWait, tenants);
    }

    public TenancyConfig withQueue(int maxQueued, Duration maxWait) {
        return new TenancyConfig(requireAuth, adminKey, keyCache, dataDir, databaseUrl, redisUrl, redisPrefix,
                redisTimeout, onRedisFailure, maxQueued, maxWait, tenants);
    }

    public TenancyConfig withAdminKey(String key) {
        return new TenancyConfig(requireAuth, key, keyCache, dataDir, databaseUrl, redisUrl, redisPrefix,
                redisTimeout, onRedisFailure, maxQueuedPerTenant, maxQueueWait, tenants);
    }

    /** Binds the tenancy sections of the merged config tree; errors name the key. */
    static TenancyConfig bind(JsonNode root, Path baseDir) {
        TenancyConfig d = DEFAULTS;
        JsonNode auth = section(root, "auth", "required", "admin_key", "key_cache_ms");
        JsonNode storage = section(root, "storage", "data_dir", "postgres");
        JsonNode postgres = section(storage, "storage.postgres", "url");
        JsonNode quota = section(root, "quota", "redis", "queue");
        JsonNode redis = section(quota, "quota.redis", "url", "prefix", "timeout_ms", "on_failure");
        JsonNode queue = section(quota, "quota.queue", "max_queued_per_tenant", "max_wait_ms");
        String mode = text(redis, "quota.redis.on_failure", "local");
        FailureMode failureMode;
        try {
            failureMode = FailureMode.valueOf(mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfig("quota.redis.on_failure", "must be local or closed, got \"" + mode + "\"");
        }
        String dataDir = text(storage, "storage.data_dir", null);
        return new TenancyConfig(
                bool(auth, "auth.required", d.requireAuth()),
                text(auth, "auth.admin_key", null),
                Duration.ofMillis(integer(auth, "auth.key_cache_ms", 500, 0, 60_000)),
                Optional.ofNullable(dataDir).map(p -> baseDir.resolve(p).normalize()),
                text(postgres, "storage.postgres.url", null),
                text(redis, "quota.redis.url", null),
                text(redis, "quota.redis.prefix", d.redisPrefix()),
                Duration.ofMillis(integer(redis, "quota.redis.timeout_ms", 1000, 1, 60_000)),
                failureMode,
                integer(queue, "quota.queue.max_queued_per_tenant", d.maxQueuedPerTenant(), 0, 1_000_000),
                Duration.ofMillis(integer(queue, "quota.queue.max_wait_ms", 30_000, 0, 3_600_000)),
                tenants(root.get("tenants")));
    }

    private static List<Tenant> tenants(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isObject()) {
            throw new InvalidConfig("tenants", "must be a mapping of tenant name to limits");
        }
        List<Tenant> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = "tenants." + e.getKey();
            try {
                JsonNode t = e.getValue();
                boolean storeText = t != null && t.has("store_text") && t.get("store_text").asBoolean(false);
                out.add(new Tenant(e.getKey(), QuotaJson.read(t, key), storeText));
            } catch (IllegalArgumentException ex) {
                throw new InvalidConfig(key, ex.getMessage().startsWith(key) ? ex.getMessage().substring(key.length())
                        .replaceFirst("^[.:]\\s*", "") : ex.getMessage());
            }
        }
        return out;
    }

    // ---- small readers; each error names the full key ----

    private static JsonNode section(JsonNode parent, String key, String... allowed) {
        return child(parent, key.substring(key.lastIndexOf('.') + 1), key, allowed);
    }

    private static JsonNode child(JsonNode parent, String name, String key, String... allowed) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new InvalidConfig(key, "must be a mapping");
        }
        Set<String> ok = Set.of(allowed);
        node.fieldNames().forEachRemaining(f -> {
            if (!ok.contains(f)) {
                throw new InvalidConfig(key + "." + f, "unknown key (expected one of " + String.join(", ", allowed) + ")");
            }
        });
        return node;
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual() && !v.isNumber()) {
            throw new InvalidConfig(key, "must be a string, got " + v);
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback) {
        JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.textValue().equalsIgnoreCase("true") || v.textValue().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(v.textValue());
        }
        if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) {
            return v.asInt() == 1;
        }
        throw new InvalidConfig(key, "must be true or false, got " + v);
    }

    private static int integer(JsonNode node, String key, int fallback, int min, int max) {
        JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new InvalidConfig(key, "must be an integer in [" + min + ", " + max + "], got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode node, String key) {
        JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw new InvalidConfig(key, "must be a number, got " + v);
        }
        return v.doubleValue();
    }
}
