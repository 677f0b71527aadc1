package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.GatewayException.InvalidConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code gateway:} section of the config file, validated. Every error names its key
 * ({@code gateway.routes[1].cascade.mode}). See docs/gateway.md for the keys.
 */
public record RoutesConfig(List<UpstreamSpec> upstreams, List<PoolSpec> pools, List<RouteSpec> routes,
        List<RuleSpec> rules, Map<String, String> aliases, String defaultRoute, RetrySpec retry,
        BreakerSpec breaker, long healthCheckMillis) {

    public static final RoutesConfig EMPTY = new RoutesConfig(List.of(), List.of(), List.of(), List.of(), Map.of(),
            null, RetrySpec.DEFAULTS, BreakerSpec.DEFAULTS, 10_000);

    public record UpstreamSpec(String name, String protocol, String baseUrl, String model, String apiKeyEnv,
            String apiKeyFile, long connectTimeoutMillis, long timeoutMillis, int maxConnections, boolean http2) {}

    public record PoolSpec(String name, List<String> replicas, int affinityMessages, int affinitySlack,
            int ejectAfterFailures, long ejectMillis) {}

    /**
     * @param retriesPerTarget  extra attempts on the same target before falling back to the next one
     * @param maxAttempts       attempts in all, over the whole chain
     * @param budgetRatio       retries allowed per request, averaged over traffic (Finagle-style retry budget)
     * @param budgetMinRetries  retries always allowed however low the traffic
     */
    public record RetrySpec(int maxAttempts, int retriesPerTarget, long backoffMillis, long maxBackoffMillis,
            long maxRetryAfterMillis, double budgetRatio, int budgetMinRetries) {
        public static final RetrySpec DEFAULTS = new RetrySpec(3, 0, 100, 2_000, 10_000, 0.2, 10);
    }

    public record BreakerSpec(float failureRatePercent, int window, int minCalls, long openMillis,
            int halfOpenCalls) {
        public static final BreakerSpec DEFAULTS = new BreakerSpec(50, 20, 10, 30_000, 3);
    }

    public enum CascadeMode { FULL, EARLY }

    public record CascadeSpec(List<String> tiers, CascadeMode mode, Double minMeanLogprob, Double minTokenLogprob,
            int earlyTokens, JsonNode jsonSchema, Pattern regex, List<String> refusals, Set<String> escalateFinish,
            int minChars) {}

    public enum Sticky { USER, TENANT }

    public record CanarySpec(String target, double weightPercent, Sticky sticky) {}

    public record ShadowSpec(String target, double percent) {}

    /** @param hedgeAfterMillis start a second attempt after this long without a first byte; 0 = never */
    public record RouteSpec(String name, List<String> targets, RetrySpec retry, CascadeSpec cascade,
            CanarySpec canary, ShadowSpec shadow, long hedgeAfterMillis) {}

    /**
     * @param route      the route of a matching rule; {@code null} for a classifier rule (its label picks)
     * @param classifier asks a model to label the request, or {@code null}
     */
    public record RuleSpec(String route, Set<String> models, Set<String> tenants, Map<String, String> tags,
            int minPromptTokens, int maxPromptTokens, Pattern regex, List<String> keywords, Boolean images,
            ClassifierSpec classifier) {}

    /**
     * @param model     the backend asked: an upstream (a local model is a {@code protocol: local} upstream) or pool
     * @param prompt    the instruction, sent as the system message
     * @param labels    label → route
     * @param maxTokens the answer's length limit
     */
    public record ClassifierSpec(String model, String prompt, Map<String, String> labels, int maxTokens) {}

    /** Parses and validates {@code gateway} (a missing or null node gives {@link #EMPTY}). */
    public static RoutesConfig parse(JsonNode gateway) {
        if (gateway == null || gateway.isNull() || gateway.isMissingNode()) {
            return EMPTY;
        }
        Node g = new Node("gateway", gateway);
        g.allowOnly("upstreams", "pools", "routes", "rules", "aliases", "default_route", "retry", "breaker",
                "health_check_ms");
        RetrySpec retry = retry(g.child("retry"), RetrySpec.DEFAULTS);
        List<UpstreamSpec> upstreams = new ArrayList<>();
        for (Node u : g.list("upstreams")) {
            u.allowOnly("name", "protocol", "base_url", "model", "api_key_env", "api_key_file", "connect_timeout_ms",
                    "timeout_ms", "max_connections", "http2");
            String protocol = u.text("protocol", "openai");
            if (!protocol.equals("openai") && !protocol.equals("anthropic") && !protocol.equals("local")) {
                throw new InvalidConfig(u.key("protocol"), "must be openai, anthropic or local, got \"" + protocol
                        + "\"");
            }
            if (protocol.equals("local")) {
                upstreams.add(new UpstreamSpec(u.required("name"), protocol, "local:", u.required("model"), null, null,
                        1, 1, 1, false));
                continue;
            }
            String baseUrl = u.required("base_url");
            if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
                throw new InvalidConfig(u.key("base_url"), "must be an http:// or https:// URL, got \"" + baseUrl + "\"");
            }
            try {
                if (java.net.URI.create(baseUrl).getHost() == null) {
                    throw new InvalidConfig(u.key("base_url"), "has no host: \"" + baseUrl + "\"");
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidConfig(u.key("base_url"), "is not a valid URL: \"" + baseUrl + "\"");
            }
            upstreams.add(new UpstreamSpec(u.required("name"), protocol, baseUrl, u.text("model", null),
                    u.text("api_key_env", null), u.text("api_key_file", null),
                    u.positive("connect_timeout_ms", 2_000), u.positive("timeout_ms", 60_000),
                    (int) u.positive("max_connections", 64), u.bool("http2", baseUrl.startsWith("https://"))));
        }
        List<PoolSpec> pools = new ArrayList<>();
        for (Node p : g.list("pools")) {
            p.allowOnly("name", "replicas", "affinity_messages", "affinity_slack", "eject_after_failures", "eject_ms");
            List<String> replicas = p.strings("replicas");
            if (replicas.isEmpty()) {
                throw new InvalidConfig(p.key("replicas"), "must name at least one upstream");
            }
            pools.add(new PoolSpec(p.required("name"), replicas, (int) p.number("affinity_messages", 2),
                    (int) p.number("affinity_slack", 4), (int) p.positive("eject_after_failures", 3),
                    p.number("eject_ms", 30_000)));
        }
        Set<String> backends = new java.util.HashSet<>();
        for (UpstreamSpec u : upstreams) {
            if (!backends.add(u.name())) {
                throw new InvalidConfig("gateway.upstreams", "duplicate name \"" + u.name() + "\"");
            }
        }
        Set<String> upstreamNames = Set.copyOf(backends);
        for (PoolSpec p : pools) {
            for (String r : p.replicas()) {
                if (!upstreamNames.contains(r)) {
                    throw new InvalidConfig("gateway.pools." + p.name() + ".replicas", "unknown upstream \"" + r + "\"");
                }
            }
            if (!backends.add(p.name())) {
                throw new InvalidConfig("gateway.pools", "duplicate name \"" + p.name() + "\"");
            }
        }
        List<RouteSpec> routes = new ArrayList<>();
        Set<String> routeNames = new java.util.HashSet<>();
        for (Node r : g.list("routes")) {
            r.allowOnly("name", "targets", "retry", "cascade", "canary", "shadow", "hedge_after_ms");
            String name = r.required("name");
            if (!routeNames.add(name)) {
                throw new InvalidConfig(r.key("name"), "duplicate route \"" + name + "\"");
            }
            CascadeSpec cascade = cascade(r.child("cascade"), backends);
            List<String> targets = r.strings("targets");
            if (targets.isEmpty() && cascade == null) {
                throw new InvalidConfig(r.key("targets"), "a route needs targets or a cascade");
            }
            known(r, "targets", targets, backends);
            CanarySpec canary = null;
            Node c = r.child("canary");
            if (c != null) {
                c.allowOnly("target", "weight_percent", "sticky");
                canary = new CanarySpec(c.required("target"), c.percent("weight_percent", 0),
                        Sticky.valueOf(c.text("sticky", "user").toUpperCase(java.util.Locale.ROOT)));
                known(c, "target", List.of(canary.target()), backends);
            }
            ShadowSpec shadow = null;
            Node s = r.child("shadow");
            if (s != null) {
                s.allowOnly("target", "percent");
                shadow = new ShadowSpec(s.required("target"), s.percent("percent", 100));
                known(s, "target", List.of(shadow.target()), backends);
            }
            routes.add(new RouteSpec(name, targets, retry(r.child("retry"), retry), cascade, canary, shadow,
                    r.number("hedge_after_ms", 0)));
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        Node a = g.child("aliases");
        if (a != null) {
            a.node.properties().forEach(e -> aliases.put(e.getKey(), e.getValue().asText()));
            aliases.forEach((alias, route) -> {
                if (!routeNames.contains(route)) {
                    throw new InvalidConfig("gateway.aliases." + alias, "unknown route \"" + route + "\"");
                }
            });
        }
        List<RuleSpec> rules = new ArrayList<>();
        for (Node r : g.list("rules")) {
            r.allowOnly("route", "model", "tenant", "tags", "min_prompt_tokens", "max_prompt_tokens", "regex",
                    "keywords", "images", "classifier");
            ClassifierSpec classifier = classifier(r.child("classifier"), backends, routeNames);
            String route = classifier == null ? r.required("route") : r.text("route", null);
            if (route != null && classifier != null) {
                throw new InvalidConfig(r.key("route"), "a classifier rule routes by its labels; drop route");
            }
            if (route != null && !routeNames.contains(route)) {
                throw new InvalidConfig(r.key("route"), "unknown route \"" + route + "\"");
            }
            Map<String, String> tags = new LinkedHashMap<>();
            Node t = r.child("tags");
            if (t != null) {
                t.node.properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
            }
            rules.add(new RuleSpec(route, Set.copyOf(r.strings("model")), Set.copyOf(r.strings("tenant")), tags,
                    (int) r.number("min_prompt_tokens", 0), (int) r.number("max_prompt_tokens", Integer.MAX_VALUE),
                    r.pattern("regex"), r.strings("keywords").stream().map(k -> k.toLowerCase(java.util.Locale.ROOT))
                            .toList(), r.node.has("images") ? r.node.get("images").asBoolean() : null, classifier));
        }
        String defaultRoute = g.text("default_route", null);
        if (defaultRoute != null && !routeNames.contains(defaultRoute)) {
            throw new InvalidConfig("gateway.default_route", "unknown route \"" + defaultRoute + "\"");
        }
        BreakerSpec breaker = BreakerSpec.DEFAULTS;
        Node b = g.child("breaker");
        if (b != null) {
            b.allowOnly("failure_rate_percent", "window", "min_calls", "open_ms", "half_open_calls");
            breaker = new BreakerSpec((float) b.percent("failure_rate_percent", 50), (int) b.positive("window", 20),
                    (int) b.positive("min_calls", 10), b.positive("open_ms", 30_000),
                    (int) b.positive("half_open_calls", 3));
        }
        return new RoutesConfig(List.copyOf(upstreams), List.copyOf(pools), List.copyOf(routes), List.copyOf(rules),
                Map.copyOf(aliases), defaultRoute, retry, breaker, g.positive("health_check_ms", 10_000));
    }

    private static void known(Node at, String key, List<String> names, Set<String> backends) {
        for (String n : names) {
            if (!backends.contains(n)) {
                throw new InvalidConfig(at.key(key), "unknown upstream or pool \"" + n + "\"");
            }
        }
    }

    private static ClassifierSpec classifier(Node c, Set<String> backends, Set<String> routeNames) {
        if (c == null) {
            return null;
        }
        c.allowOnly("model", "prompt", "labels", "max_tokens");
        String model = c.required("model");
        known(c, "model", List.of(model), backends);
        Node l = c.child("labels");
        if (l == null || !l.node.isObject() || l.node.isEmpty()) {
            throw new InvalidConfig(c.key("labels"), "must map each label to a route, e.g. {code: smart, chat: default}");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        l.node.properties().forEach(e -> {
            String route = e.getValue().asText();
            if (!routeNames.contains(route)) {
                throw new InvalidConfig(l.key(e.getKey()), "unknown route \"" + route + "\"");
            }
            labels.put(e.getKey(), route);
        });
        String prompt = c.text("prompt", "Label the user's request with exactly one of: "
                + String.join(", ", labels.keySet()) + ". Answer with the label only.");
        return new ClassifierSpec(model, prompt, Map.copyOf(labels), (int) c.positive("max_tokens", 4));
    }

    private static RetrySpec retry(Node r, RetrySpec defaults) {
        if (r == null) {
            return defaults;
        }
        r.allowOnly("max_attempts", "retries_per_target", "backoff_ms", "max_backoff_ms", "max_retry_after_ms",
                "budget_ratio", "budget_min_retries");
        return new RetrySpec((int) r.positive("max_attempts", defaults.maxAttempts()),
                (int) r.number("retries_per_target", defaults.retriesPerTarget()),
                r.number("backoff_ms", defaults.backoffMillis()), r.number("max_backoff_ms", defaults.maxBackoffMillis()),
                r.number("max_retry_after_ms", defaults.maxRetryAfterMillis()),
                r.node.path("budget_ratio").asDouble(defaults.budgetRatio()),
                (int) r.number("budget_min_retries", defaults.budgetMinRetries()));
    }

    private static CascadeSpec cascade(Node c, Set<String> backends) {
        if (c == null) {
            return null;
        }
        c.allowOnly("tiers", "mode", "min_mean_logprob", "min_token_logprob", "early_tokens", "json_schema", "regex",
                "refusals", "escalate_finish", "min_chars");
        List<String> tiers = c.strings("tiers");
        if (tiers.size() < 2) {
            throw new InvalidConfig(c.key("tiers"), "a cascade needs at least two tiers");
        }
        known(c, "tiers", tiers, backends);
        String mode = c.text("mode", "full");
        if (!mode.equals("full") && !mode.equals("early")) {
            throw new InvalidConfig(c.key("mode"), "must be full or early, got \"" + mode + "\"");
        }
        return new CascadeSpec(tiers, CascadeMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
                c.node.has("min_mean_logprob") ? c.node.get("min_mean_logprob").asDouble() : null,
                c.node.has("min_token_logprob") ? c.node.get("min_token_logprob").asDouble() : null,
                (int) c.positive("early_tokens", 8), c.node.get("json_schema"), c.pattern("regex"),
                c.strings("refusals").stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList(),
                Set.copyOf(c.strings("escalate_finish")), (int) c.number("min_chars", 0));
    }

    /** A config node and the key it sits at, for error messages. */
    private record Node(String path, JsonNode node) {
        String key(String child) {
            return path + "." + child;
        }

        void allowOnly(String... keys) {
            if (!node.isObject()) {
                throw new InvalidConfig(path, "must be a mapping");
            }
            Set<String> allowed = Set.of(keys);
            node.fieldNames().forEachRemaining(f -> {
                if (!allowed.contains(f)) {
                    throw new InvalidConfig(key(f), "unknown key (expected one of " + String.join(", ", keys) + ")");
                }
            });
        }

        Node child(String key) {
            JsonNode c = node.get(key);
            return c == null || c.isNull() ? null : new Node(key(key), c);
        }

        List<Node> list(String key) {
            JsonNode c = node.get(key);
            if (c == null || c.isNull()) {
                return List.of();
            }
            if (!c.isArray()) {
                throw new InvalidConfig(key(key), "must be a list");
            }
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) {
                out.add(new Node(key(key) + "[" + i + "]", c.get(i)));
            }
            return out;
        }

        String required(String key) {
            String v = text(key, null);
            if (v == null || v.isBlank()) {
                throw new InvalidConfig(key(key), "is required");
            }
            return v;
        }

        String text(String key, String fallback) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? fallback : v.asText();
        }

        boolean bool(String key, boolean fallback) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? fallback : v.asBoolean();
        }

        long number(String key, long fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.canConvertToLong() || v.asLong() < 0) {
                throw new InvalidConfig(key(key), "must be a non-negative integer, got " + v);
            }
            return v.asLong();
        }

        long positive(String key, long fallback) {
            long v = number(key, fallback);
            if (v <= 0) {
                throw new InvalidConfig(key(key), "must be positive, got " + v);
            }
            return v;
        }

        double percent(String key, double fallback) {
            JsonNode v = node.get(key);
            double d = v == null || v.isNull() ? fallback : v.asDouble(-1);
            if (d < 0 || d > 100) {
                throw new InvalidConfig(key(key), "must be a percentage in [0, 100], got " + v);
            }
            return d;
        }

        List<String> strings(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (v.isTextual()) {
                return List.of(v.asText());
            }
            if (!v.isArray()) {
                throw new InvalidConfig(key(key), "must be a string or a list of strings");
            }
            List<String> out = new ArrayList<>();
            v.forEach(e -> out.add(e.asText()));
            return List.copyOf(out);
        }

        Pattern pattern(String key) {
            String p = text(key, null);
            if (p == null) {
                return null;
            }
            try {
                return Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new InvalidConfig(key(key), "is not a valid regular expression: " + e.getDescription());
            }
        }
    }
}
