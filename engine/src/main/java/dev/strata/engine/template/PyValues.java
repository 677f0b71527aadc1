package dev.strata.engine.template;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's view of the Java values a template handles: {@code str()}, {@code repr()}, type names
 * and iteration. Jinjava prints {@code true}, {@code null} and {@code [a, b]}; templates written for
 * jinja2 expect {@code True}, {@code None} and {@code ['a', 'b']}.
 */
final class PyValues {

    private PyValues() {}

    /** Python's {@code str(value)}, with jinja2's rule that an undefined value prints as nothing. */
    static String str(Object value) {
        return switch (value) {
            case null -> "None";
            case PyUndefined u -> "";
            case String s -> s;
            case SafeString s -> s.toString();
            case CharSequence s -> s.toString();
            default -> repr(value);
        };
    }

    /** Python's {@code repr(value)} for the JSON-like values templates see. */
    static String repr(Object value) {
        StringBuilder sb = new StringBuilder();
        appendRepr(sb, value);
        return sb.toString();
    }

    private static void appendRepr(StringBuilder sb, Object value) {
        switch (value) {
            case null -> sb.append("None");
            case PyUndefined u -> sb.append("");
            case Boolean b -> sb.append(b ? "True" : "False");
            case Number n -> sb.append(number(n));
            case CharSequence s -> appendStringRepr(sb, s.toString());
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    appendRepr(sb, e.getKey());
                    sb.append(": ");
                    appendRepr(sb, e.getValue());
                }
                sb.append('}');
            }
            case PyTuple t -> {
                sb.append('(');
                for (int i = 0; i < t.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    appendRepr(sb, t.get(i));
                }
                sb.append(t.size() == 1 ? ",)" : ")");
            }
            case Map.Entry<?, ?> e -> {
                sb.append('(');
                appendRepr(sb, e.getKey());
                sb.append(", ");
                appendRepr(sb, e.getValue());
                sb.append(')');
            }
            case Collection<?> c -> {
                sb.append('[');
                boolean first = true;
                for (Object o : c) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    appendRepr(sb, o);
                }
                sb.append(']');
            }
            default -> sb.append(value);
        }
    }

    /** Python's string repr: single quotes unless the text holds a single quote and no double. */
    private static void appendStringRepr(StringBuilder sb, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append(quote);
    }

    /** A number as Python prints it: integers plainly, floats with a fractional part ({@code 1.0}). */
    static String number(Number n) {
        return switch (n) {
            case Long l -> Long.toString(l);
            case Integer i -> Integer.toString(i);
            case Short s -> Short.toString(s);
            case Byte b -> Byte.toString(b);
            case BigInteger b -> b.toString();
            case BigDecimal b -> b.scale() <= 0 ? b.toBigInteger().toString() : floatRepr(b.doubleValue());
            default -> floatRepr(n.doubleValue());
        };
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent past 1e16 or below 1e-4. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return new BigDecimal(d).toBigInteger() + ".0";
        }
        double abs = Math.abs(d);
        if (abs >= 1e-4 && abs < 1e16) {
            return new BigDecimal(Double.toString(d)).toPlainString();
        }
        String java = Double.toString(d); // e.g. 1.0E-5
        int e = java.indexOf('E');
        String mantissa = java.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exponent = Integer.parseInt(java.substring(e + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    /** Python's {@code ==} for template values: numbers by value, strings by text, lists and dicts deeply. */
    static boolean pyEquals(Object a, Object b) {
        if (a instanceof SafeString s) {
            a = s.toString();
        }
        if (b instanceof SafeString s) {
            b = s.toString();
        }
        if (a == null || b == null) {
            return a == b;
        }
        if ((a instanceof Number || a instanceof Boolean) && (b instanceof Number || b instanceof Boolean)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!pyEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !pyEquals(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static double toDouble(Object o) {
        return o instanceof Boolean b ? (b ? 1 : 0) : ((Number) o).doubleValue();
    }

    /** The Python type name jinja2 puts in its messages ({@code 'dict object' has no attribute 'x'}). */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "None";
            case Map<?, ?> m -> "dict object";
            case List<?> l -> "list object";
            case CharSequence s -> "str object";
            case Boolean b -> "bool object";
            case Long l -> "int object";
            case Integer i -> "int object";
            case Number n -> "float object";
            default -> value.getClass().getSimpleName() + " object";
        };
    }

    /** What {@code for x in value} walks: a list, a dict's keys, a string's characters; nothing for undefined. */
    static List<Object> iterate(Object value) {
        List<Object> items = new ArrayList<>();
        switch (value) {
            case null -> throw new TemplateRaise.TypeError("'NoneType' object is not iterable");
            case PyUndefined u -> { }
            case Map<?, ?> m -> items.addAll(m.keySet());
            case CharSequence s -> s.toString().codePoints().forEach(cp -> items.add(Character.toString(cp)));
            case Iterable<?> it -> it.forEach(items::add);
            case Iterator<?> it -> it.forEachRemaining(items::add);
            case Object[] array -> items.addAll(java.util.Arrays.asList(array));
            default -> throw new TemplateRaise.TypeError("'" + typeName(value) + "' is not iterable");
        }
        return items;
    }
}
