package dev.strata.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.engine.kv.KvCacheType;
import dev.strata.server.GatewayException.InvalidConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link StrataConfig} in three layers, later ones winning: the YAML file, then the
 * {@code STRATA_*} environment variables ({@link #ENV_KEYS}), then command-line flags. All three are
 * merged into one tree first and validated once, so every problem is reported with the YAML key it
 * belongs to (e.g. {@code server.port: must be an integer in [0, 65535], got "http"}). Unknown keys
 * are errors: a typo must not silently fall back to a default.
 */
public final class ConfigLoader {

    /** Environment variables and the key each one sets. */
    public static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("STRATA_HOST", "server.host"),
            Map.entry("STRATA_PORT", "server.port"),
            Map.entry("STRATA_GRPC_PORT", "server.grpc_port"),
            Map.entry("STRATA_DRAIN_TIMEOUT_SECONDS", "server.drain_timeout_seconds"),
            Map.entry("STRATA_MAX_BODY_BYTES", "server.limits.max_body_bytes"),
            Map.entry("STRATA_MAX_CONCURRENT_REQUESTS", "server.limits.max_concurrent_requests"),
            Map.entry("STRATA_REQUEST_THREADS", "server.request_threads"),
            Map.entry("STRATA_MAX_N", "server.limits.max_n"),
            Map.entry("STRATA_TLS_CERT", "server.tls.cert"),
            Map.entry("STRATA_TLS_KEY", "server.tls.key"),
            Map.entry("STRATA_LOG_LEVEL", "observe.log_level"),
            // tenancy (TenancyConfig)
            Map.entry("STRATA_REQUIRE_AUTH", "auth.required"),
            Map.entry("STRATA_ADMIN_KEY", "auth.admin_key"),
            Map.entry("STRATA_DATA_DIR", "storage.data_dir"),
            Map.entry("STRATA_POSTGRES_URL", "storage.postgres.url"),
            Map.entry("STRATA_REDIS_URL", "quota.redis.url"));

    private static final String DEFAULT_HOST = "127.0.0.1";
    private static final int DEFAULT_PORT = 8080;
    private static final int DEFAULT_GRPC_PORT = 9090;
    private static final int DEFAULT_DRAIN_SECONDS = 30;

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final Map<String, String> env;
    private final Path defaultModel;

    /**
     * @param env          the process environment (tests pass their own)
     * @param defaultModel served when neither file, environment nor flags name a model
     */
    public ConfigLoader(Map<String, String> env, Path defaultModel) {
        this.env = Map.copyOf(env);
        this.defaultModel = defaultModel;
    }

    /** Reads {@code file} (if present), applies environment and flags, and validates. */
    public StrataConfig load(Optional<Path> file, ConfigOverrides flags) {
        ObjectNode root = file.map(this::read).orElseGet(JsonNodeFactory.instance::objectNode);
        Path baseDir = file.map(f -> f.toAbsolutePath().getParent()).orElse(Path.of("").toAbsolutePath());
        applyEnvironment(root);
        applyFlags(root, flags);
        return bind(root, baseDir);
    }

    private ObjectNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfig("config", "file not found: " + file);
        }
        JsonNode node;
        try {
            node = yaml.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new InvalidConfig("config", "invalid YAML in " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
        } catch (IOException e) {
            throw new InvalidConfig("config", "cannot read " + file + ": " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidConfig("config", "the top level of " + file + " must be a mapping");
        }
        return object;
    }

    private void applyEnvironment(ObjectNode root) {
        ENV_KEYS.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                set(root, key, typed(value.strip()));
            }
        });
        String model = env.get("STRATA_MODEL");
        if (model != null && !model.isBlank()) {
            replaceModels(root, List.of(Path.of(model.strip())), null);
        }
    }

    private static void applyFlags(ObjectNode root, ConfigOverrides flags) {
        if (flags.host() != null) {
            set(root, "server.host", JsonNodeFactory.instance.textNode(flags.host()));
        }
        if (flags.port() != null) {
            set(root, "server.port", JsonNodeFactory.instance.numberNode(flags.port()));
        }
        if (flags.grpcPort() != null) {
            set(root, "server.grpc_port", JsonNodeFactory.instance.numberNode(flags.grpcPort()));
        }
        if (!flags.models().isEmpty()) {
            replaceModels(root, flags.models(), flags.threads());
        }
        if (flags.threads() != null) {
            applyToModels(root, "threads", JsonNodeFactory.instance.numberNode(flags.threads()));
        }
        if (flags.kvMemory() != null) {
            applyToModels(root, "kv_memory", JsonNodeFactory.instance.textNode(flags.kvMemory()));
        }
        if (flags.kvCacheType() != null) {
            applyToModels(root, "kv_cache_type", JsonNodeFactory.instance.textNode(flags.kvCacheType()));
        }
        if (flags.kvCacheDir() != null) {
            applyToModels(root, "kv_cache_dir",
                    JsonNodeFactory.instance.textNode(flags.kvCacheDir().toAbsolutePath().toString()));
        }
        if (flags.kvCacheDiskMax() != null) {
            applyToModels(root, "kv_cache_disk_max", JsonNodeFactory.instance.textNode(flags.kvCacheDiskMax()));
        }
    }

    /** Sets {@code key} on every configured model, or as {@code default_model_<key>} for the demo model. */
    private static void applyToModels(ObjectNode root, String key, JsonNode value) {
        if (root.get("models") instanceof ArrayNode models) {
            models.forEach(m -> {
                if (m instanceof ObjectNode o) {
                    o.set(key, value);
                }
            });
        } else {
            root.set("default_model_" + key, value);
        }
    }

    private static void replaceModels(ObjectNode root, List<Path> paths, Integer threads) {
        ArrayNode models = root.putArray("models");
        for (Path p : paths) {
            ObjectNode m = models.addObject().put("path", p.toString());
            if (threads != null) {
                m.put("threads", threads);
            }
        }
    }

    /** Environment values are strings; numbers and booleans are recognised so they bind like YAML. */
    private static JsonNode typed(String value) {
        try {
            return JsonNodeFactory.instance.numberNode(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return JsonNodeFactory.instance.textNode(value);
        }
    }

    private static void set(ObjectNode root, String dottedKey, JsonNode value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.get(parts[i]) instanceof ObjectNode object ? object : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    // ---- binding and validation ----

    private StrataConfig bind(ObjectNode root, Path baseDir) {
        Section top = new Section("", root);
        top.allowOnly("server", "models", "default_model_threads", "observe", "gateway", // gateway: server.route
                "auth", "storage", "quota", "tenants", // tenancy: TenancyConfig
                // --kv-memory, --kv-cache-type, --kv-cache-dir, --kv-cache-disk-max without models:
                "default_model_kv_memory", "default_model_kv_cache_type", "default_model_kv_cache_dir",
                "default_model_kv_cache_disk_max");
        ServerConfig server = bindServer(top.section("server"), baseDir);
        int defaultThreads = top.integer("default_model_threads", 0, 0, 4096);
        ServingOptions defaultServing = new ServingOptions(top.bytes("default_model_kv_memory"), null, null, null, null,
                kvCacheType(top, "default_model_kv_cache_type"), kvCacheDir(top, "default_model_kv_cache_dir", baseDir),
                top.bytes("default_model_kv_cache_disk_max"));
        List<ModelConfig> models = bindModels(root.get("models"), baseDir, defaultThreads, defaultServing);
        return new StrataConfig(server, models, bindObserve(top.section("observe")), TenancyConfig.bind(root, baseDir));
    }

    private static ObserveConfig bindObserve(Section s) {
        s.allowOnly("log_level", "log_prompts");
        String level = s.text("log_level", ObserveConfig.DEFAULTS.logLevel());
        try {
            return new ObserveConfig(level, s.bool("log_prompts", false));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfig(s.prefix() + "log_level", "must be one of debug, info, warn, error, off; got \""
                    + level + "\"");
        }
    }

    private static ModelPrice bindPrice(Section s) {
        s.allowOnly("input_usd_per_million", "output_usd_per_million");
        return new ModelPrice(s.nonNegative("input_usd_per_million"), s.nonNegative("output_usd_per_million"));
    }

    private static ServerConfig bindServer(Section s, Path baseDir) {
        s.allowOnly("host", "port", "grpc_port", "drain_timeout_seconds", "limits", "tls", "request_threads");
        String host = s.text("host", DEFAULT_HOST);
        int port = s.integer("port", DEFAULT_PORT, 0, 65535);
        int grpcPort = s.integer("grpc_port", DEFAULT_GRPC_PORT, -1, 65535);
        int drain = s.integer("drain_timeout_seconds", DEFAULT_DRAIN_SECONDS, 0, 3600);
        Section l = s.section("limits");
        l.allowOnly("max_body_bytes", "max_concurrent_requests", "max_n", "retry_after_seconds");
        Limits d = Limits.DEFAULTS;
        Limits limits = new Limits(
                l.longValue("max_body_bytes", d.maxBodyBytes(), 1, 1L << 31),
                l.integer("max_concurrent_requests", d.maxConcurrentRequests(), 1, 1_000_000),
                l.integer("max_n", d.maxN(), 1, 128),
                l.integer("retry_after_seconds", d.retryAfterSeconds(), 0, 3600));
        Optional<TlsConfig> tls = Optional.empty();
        if (s.has("tls")) {
            Section t = s.section("tls");
            t.allowOnly("cert", "key");
            Path cert = t.existingFile("cert", baseDir);
            Path key = t.existingFile("key", baseDir);
            tls = Optional.of(new TlsConfig(cert, key));
        }
        String threads = s.text("request_threads", ServerConfig.RequestThreads.VIRTUAL.configValue());
        ServerConfig.RequestThreads requestThreads = ServerConfig.RequestThreads.fromConfig(threads)
                .orElseThrow(() -> new InvalidConfig(s.prefix() + "request_threads",
                        "must be virtual or platform, got \"" + threads + "\""));
        return new ServerConfig(host, port, grpcPort, java.time.Duration.ofSeconds(drain), limits, tls, requestThreads);
    }

    private List<ModelConfig> bindModels(JsonNode node, Path baseDir, int defaultThreads,
            ServingOptions defaultServing) {
        if (node == null || node.isNull()) {
            if (defaultModel == null || !Files.isRegularFile(defaultModel)) {
                throw new InvalidConfig("models", "no model given (use --model FILE or a config file)"
                        + (defaultModel == null ? "" : " and the demo model is not at " + defaultModel));
            }
            return List.of(new ModelConfig(ModelConfig.idOf(defaultModel), defaultModel, defaultThreads, 0,
                    SamplingDefaults.NONE, ModelPrice.FREE, defaultServing));
        }
        if (!(node instanceof ArrayNode array) || array.isEmpty()) {
            throw new InvalidConfig("models", "must be a non-empty list of models");
        }
        List<ModelConfig> models = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String key = "models[" + i + "]";
            if (!(array.get(i) instanceof ObjectNode object)) {
                throw new InvalidConfig(key, "must be a mapping with at least a path");
            }
            Section m = new Section(key + ".", object);
            m.allowOnly("path", "id", "alias", "threads", "context", "sampling", "price", "kv_memory", "block_size",
                    "max_num_seqs", "max_batched_tokens", "max_waiting", "kv_cache_type", "kv_cache_dir",
                    "kv_cache_disk_max");
            Path path = m.existingFile("path", baseDir);
            String id = m.has("id") ? m.text("id", null) : m.text("alias", ModelConfig.idOf(path));
            if (id.isBlank() || !ids.add(id)) {
                throw new InvalidConfig(key + ".id", id.isBlank() ? "must not be blank" : "duplicate model id \"" + id + "\"");
            }
            int threads = m.integer("threads", defaultThreads, 0, 4096);
            int context = m.integer("context", 0, 0, 1 << 24);
            models.add(new ModelConfig(id, path, threads, context, bindSampling(m.section("sampling")),
                    bindPrice(m.section("price")), bindServing(m, baseDir)));
        }
        return models;
    }

    /** The engine's serving knobs of one model (see {@link ServingOptions}); absent keys keep the defaults. */
    private static ServingOptions bindServing(Section m, Path baseDir) {
        Integer seqs = m.optionalInteger("max_num_seqs", 1, 1 << 16);
        Integer batchTokens = m.optionalInteger("max_batched_tokens", 1, 1 << 24);
        if (seqs != null && batchTokens != null && batchTokens < seqs) {
            throw new InvalidConfig(m.prefix() + "max_batched_tokens", "must be >= max_num_seqs (" + seqs + "), got "
                    + batchTokens);
        }
        return new ServingOptions(m.bytes("kv_memory"), m.optionalInteger("block_size", 1, 1024), seqs, batchTokens,
                m.optionalInteger("max_waiting", 1, 1 << 24), kvCacheType(m, "kv_cache_type"),
                kvCacheDir(m, "kv_cache_dir", baseDir), m.bytes("kv_cache_disk_max"));
    }

    /** The prefix cache directory under {@code key} (relative to the config file), null when absent. */
    private static Path kvCacheDir(Section s, String key, Path baseDir) {
        if (!s.has(key)) {
            return null;
        }
        String dir = s.text(key, "");
        if (dir.isBlank()) {
            throw new InvalidConfig(s.prefix() + key, "must be a directory path");
        }
        Path p = baseDir.resolve(dir).normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) {
            throw new InvalidConfig(s.prefix() + key, "is not a directory: " + p);
        }
        return p;
    }

    /** The K/V storage type under {@code key} ({@code f32}, {@code f16}, {@code q8_0}), null when absent. */
    private static KvCacheType kvCacheType(Section s, String key) {
        if (!s.has(key)) {
            return null;
        }
        String name = s.text(key, "f32");
        try {
            return KvCacheType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfig(s.prefix() + key, "must be one of f32, f16, q8_0; got \"" + name + "\"");
        }
    }

    private static SamplingDefaults bindSampling(Section s) {
        s.allowOnly("temperature", "top_p", "top_k", "min_p", "repetition_penalty", "max_tokens");
        return new SamplingDefaults(
                s.optionalFloat("temperature", 0, 100),
                s.optionalFloat("top_p", Float.MIN_VALUE, 1),
                s.has("top_k") ? s.integer("top_k", 0, 0, 1_000_000) : null,
                s.optionalFloat("min_p", 0, 1),
                s.optionalFloat("repetition_penalty", Float.MIN_VALUE, 100),
                s.has("max_tokens") ? s.integer("max_tokens", 0, 1, 1 << 24) : null);
    }

    /** One mapping of the tree with its key prefix, so errors name the full key. */
    private record Section(String prefix, ObjectNode node) {
        Section(String prefix, JsonNode node) {
            this(prefix, asObject(prefix, node));
        }

        private static ObjectNode asObject(String prefix, JsonNode node) {
            if (node == null || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (node instanceof ObjectNode o) {
                return o;
            }
            throw new InvalidConfig(prefix.isEmpty() ? "config" : prefix.substring(0, prefix.length() - 1),
                    "must be a mapping");
        }

        boolean has(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull();
        }

        Section section(String name) {
            return new Section(prefix + name + ".", node.get(name));
        }

        void allowOnly(String... names) {
            Set<String> allowed = Set.of(names);
            node.fieldNames().forEachRemaining(f -> {
                if (!allowed.contains(f)) {
                    throw new InvalidConfig(prefix + f, "unknown key (expected one of " + String.join(", ",
                            List.of(names)) + ")");
                }
            });
        }

        String text(String name, String fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (fallback == null) {
                    throw new InvalidConfig(prefix + name, "is required");
                }
                return fallback;
            }
            if (!v.isTextual()) {
                throw new InvalidConfig(prefix + name, "must be a string, got " + v);
            }
            return v.asText();
        }

        int integer(String name, int fallback, int min, int max) {
            return (int) longValue(name, fallback, min, max);
        }

        long longValue(String name, long fallback, long min, long max) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
                throw new InvalidConfig(prefix + name, "must be an integer in [" + min + ", " + max + "], got " + v);
            }
            return v.asLong();
        }

        Integer optionalInteger(String name, int min, int max) {
            return has(name) ? integer(name, 0, min, max) : null;
        }

        /** A byte count: an integer, or a string with a unit ({@link ByteSize}); 0 when absent. */
        long bytes(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return 0;
            }
            if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
                return v.asLong();
            }
            if (v.isTextual()) {
                try {
                    return ByteSize.parse(v.asText());
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfig(prefix + name, "must be a byte count or a size like \"512MiB\" or \"2GB\"; "
                            + e.getMessage());
                }
            }
            throw new InvalidConfig(prefix + name, "must be a byte count >= 0 or a size like \"512MiB\", got " + v);
        }

        Float optionalFloat(String name, float min, float max) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isNumber() || !(v.floatValue() >= min && v.floatValue() <= max)) {
                throw new InvalidConfig(prefix + name, "must be a number in [" + (min == Float.MIN_VALUE ? "0 (exclusive)" : min)
                        + ", " + max + "], got " + v);
            }
            return v.floatValue();
        }

        boolean bool(String name, boolean fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new InvalidConfig(prefix + name, "must be true or false, got " + v);
            }
            return v.booleanValue();
        }

        double nonNegative(String name) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return 0;
            }
            if (!v.isNumber() || !(v.doubleValue() >= 0) || Double.isInfinite(v.doubleValue())) {
                throw new InvalidConfig(prefix + name, "must be a number >= 0, got " + v);
            }
            return v.doubleValue();
        }

        Path existingFile(String name, Path baseDir) {
            Path p = baseDir.resolve(text(name, null));
            if (!Files.isRegularFile(p)) {
                throw new InvalidConfig(prefix + name, "file not found: " + p);
            }
            return p.normalize();
        }
    }
}
