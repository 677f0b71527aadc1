package dev.strata.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.GatewayException.InvalidRequest;

/**
 * Typed, range-checked reads of one JSON object's fields. Every failure is a 400 that names the
 * field ({@code param}); a field that is absent or {@code null} reads as "not given".
 */
final class Fields {
    private final JsonNode node;
    private final String prefix;

    Fields(JsonNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    JsonNode raw(String name) {
        return node.get(name);
    }

    String string(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return v.textValue();
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw missing(name);
        }
        return s;
    }

    boolean bool(String name, boolean fallback) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "a boolean", v);
        }
        return v.booleanValue();
    }

    Integer integer(String name, long min, long max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw wrongType(name, "an integer", v);
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            throw outOfRange(name, "[" + min + ", " + max + "]", v);
        }
        return (int) v.longValue();
    }

    Long longInteger(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(name, "an integer", v);
        }
        return v.longValue();
    }

    /** A number in [min, max], or (min, max] when {@code minExclusive}. */
    Float number(String name, double min, double max, boolean minExclusive) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number", v);
        }
        double d = v.doubleValue();
        if (!(minExclusive ? d > min : d >= min) || !(d <= max)) {
            throw outOfRange(name, (minExclusive ? "(" : "[") + fmt(min) + ", " + fmt(max) + "]", v);
        }
        return (float) d;
    }

    /** The prefix for fields of a nested object named {@code name}. */
    String prefixOf(String name) {
        return prefix + name + ".";
    }

    InvalidRequest missing(String name) {
        return new InvalidRequest("Missing required parameter: '" + prefix + name + "'.", prefix + name,
                "missing_required_parameter");
    }

    InvalidRequest wrongType(String name, String expected, JsonNode got) {
        return new InvalidRequest("Invalid type for '" + prefix + name + "': expected " + expected + ", but got "
                + describe(got) + " instead.", prefix + name, "invalid_type");
    }

    InvalidRequest outOfRange(String name, String range, JsonNode got) {
        return new InvalidRequest("Invalid value for '" + prefix + name + "': must be in " + range + ", got "
                + got + ".", prefix + name, "invalid_value");
    }

    InvalidRequest invalid(String name, String problem) {
        return new InvalidRequest("Invalid value for '" + prefix + name + "': " + problem, prefix + name,
                "invalid_value");
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> v.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "null";
        };
    }
}
