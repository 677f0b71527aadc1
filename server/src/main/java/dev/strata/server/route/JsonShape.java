package dev.strata.server.route;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A small JSON Schema subset for cascade validators (https://json-schema.org/draft/2020-12):
 * {@code type}, {@code properties}, {@code required}, {@code items}, {@code enum}. Enough to say
 * "the small model's answer is not the JSON we asked for"; not a general validator.
 */
final class JsonShape {
    private JsonShape() {
    }

    /** The first violation as a short message, or {@code null} when {@code value} fits {@code schema}. */
    static String violation(JsonNode schema, JsonNode value, String at) {
        String type = schema.path("type").asText(null);
        if (type != null && !hasType(value, type)) {
            return at + " is not of type " + type;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(value);
            }
            if (!found) {
                return at + " is not one of " + schema.get("enum");
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                return at + " lacks required property " + required.asText();
            }
        }
        var props = schema.path("properties").properties().iterator();
        while (props.hasNext()) {
            var p = props.next();
            if (value.has(p.getKey())) {
                String v = violation(p.getValue(), value.get(p.getKey()), at + "." + p.getKey());
                if (v != null) {
                    return v;
                }
            }
        }
        if (schema.has("items") && value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                String v = violation(schema.get("items"), value.get(i), at + "[" + i + "]");
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> true;
        };
    }
}
