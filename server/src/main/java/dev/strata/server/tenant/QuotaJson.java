package dev.strata.server.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one JSON/YAML shape of a {@link Quota}, shared by the config file, the admin API and the
 * store: snake_case keys, absent keys meaning "no limit". Unknown keys are errors naming the key.
 */
public final class QuotaJson {
    private static final List<String> KEYS = List.of("rpm", "tpm", "max_concurrent", "max_tokens_per_request",
            "models", "daily_budget_usd", "monthly_budget_usd", "max_priority", "weight", "downgrade_model");

    private QuotaJson() {}

    /**
     * Reads a quota from {@code node} (null or missing: {@link Quota#NONE}).
     *
     * @param where the key path used in error messages, e.g. {@code tenants.acme}
     * @throws IllegalArgumentException naming the bad key
     */
    public static Quota read(JsonNode node, String where) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Quota.NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": must be a mapping");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!KEYS.contains(f) && !f.equals("store_text")) {
                throw new IllegalArgumentException(where + "." + f + ": unknown key (expected one of "
                        + String.join(", ", KEYS) + ")");
            }
        });
        try {
            return new Quota(integer(node, "rpm", where), integer(node, "tpm", where),
                    integer(node, "max_concurrent", where), integer(node, "max_tokens_per_request", where),
                    models(node.get("models"), where), number(node, "daily_budget_usd", where),
                    number(node, "monthly_budget_usd", where), integer(node, "max_priority", where),
                    integer(node, "weight", where), text(node, "downgrade_model", where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public static ObjectNode write(Quota q) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (q.requestsPerMinute() != null) o.put("rpm", q.requestsPerMinute());
        if (q.tokensPerMinute() != null) o.put("tpm", q.tokensPerMinute());
        if (q.maxConcurrent() != null) o.put("max_concurrent", q.maxConcurrent());
        if (q.maxTokensPerRequest() != null) o.put("max_tokens_per_request", q.maxTokensPerRequest());
        if (!q.models().isEmpty()) q.models().stream().sorted().forEach(o.putArray("models")::add);
        if (q.dailyBudgetUsd() != null) o.put("daily_budget_usd", q.dailyBudgetUsd());
        if (q.monthlyBudgetUsd() != null) o.put("monthly_budget_usd", q.monthlyBudgetUsd());
        if (q.maxPriority() != null) o.put("max_priority", q.maxPriority());
        if (q.weight() != null) o.put("weight", q.weight());
        if (q.downgradeModel() != null) o.put("downgrade_model", q.downgradeModel());
        return o;
    }

    private static Integer integer(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + "." + key + ": must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static Double number(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(where + "." + key + ": must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + "." + key + ": must be a string, got " + v);
        }
        return v.textValue();
    }

    private static Set<String> models(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        if (v.isTextual()) {
            for (String m : v.textValue().split(",")) {
                if (!m.isBlank()) {
                    out.add(m.strip());
                }
            }
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + ".models: must be a list of model ids, got " + v);
        }
        v.forEach(m -> {
            if (!m.isTextual()) {
                throw new IllegalArgumentException(where + ".models: must be a list of model ids, got " + v);
            }
            out.add(m.textValue());
        });
        return out;
    }
}
