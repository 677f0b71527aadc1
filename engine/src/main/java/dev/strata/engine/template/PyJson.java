package dev.strata.engine.template;

import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON as Python's {@code json} module writes and reads it, which is what Hugging Face's
 * {@code tojson} filter is: {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * separators=separators, sort_keys=sort_keys)}. Keys keep their insertion order; separators are
 * {@code ", "} and {@code ": "} without an indent and {@code ","} and {@code ": "} with one.
 */
final class PyJson {

    private PyJson() {}

    /** Options of one {@code dumps} call; {@code indent} null means one line. */
    record Format(String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        static final Format COMPACT = new Format(null, ", ", ": ", false);

        static Format of(Object indent, String itemSeparator, String keySeparator, boolean sortKeys) {
            String indentText = switch (indent) {
                case null -> null;
                case Number n -> " ".repeat(Math.max(0, n.intValue()));
                case CharSequence s -> s.toString();
                default -> throw new TemplateRaise.TypeError("indent must be an int or a string");
            };
            String items = itemSeparator != null ? itemSeparator : indentText == null ? ", " : ",";
            String keys = keySeparator != null ? keySeparator : ": ";
            return new Format(indentText, items, keys, sortKeys);
        }
    }

    static String dumps(Object value, Format format) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, format, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value, Format format, int depth) {
        switch (value) {
            case null -> sb.append("null");
            case PyUndefined u -> throw new TemplateRaise.TypeError("Object of type Undefined is not JSON serializable");
            case PyGenerator g -> throw new TemplateRaise.TypeError("Object of type generator is not JSON serializable");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Number n -> sb.append(jsonNumber(n));
            case String s -> writeString(sb, s);
            case SafeString s -> writeString(sb, s.toString());
            case CharSequence s -> writeString(sb, s.toString());
            case Map<?, ?> m -> writeMap(sb, m, format, depth);
            case Map.Entry<?, ?> e -> writeList(sb, List.of(e.getKey(), e.getValue()), format, depth);
            case Collection<?> c -> writeList(sb, c, format, depth);
            case Object[] a -> writeList(sb, java.util.Arrays.asList(a), format, depth);
            default -> throw new TemplateRaise.TypeError(
                    "Object of type " + value.getClass().getSimpleName() + " is not JSON serializable");
        }
    }

    private static String jsonNumber(Number n) {
        String s = PyValues.number(n);
        return switch (s) {
            case "nan" -> "NaN";
            case "inf" -> "Infinity";
            case "-inf" -> "-Infinity";
            default -> s;
        };
    }

    private static void writeMap(StringBuilder sb, Map<?, ?> map, Format format, int depth) {
        if (map.isEmpty()) {
            sb.append("{}");
            return;
        }
        Map<?, ?> ordered = map;
        if (format.sortKeys()) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(keyString(k), v));
            ordered = sorted;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ordered.entrySet()) {
            if (!first) {
                sb.append(format.itemSeparator());
            }
            first = false;
            newline(sb, format, depth + 1);
            writeString(sb, keyString(e.getKey()));
            sb.append(format.keySeparator());
            write(sb, e.getValue(), format, depth + 1);
        }
        newline(sb, format, depth);
        sb.append('}');
    }

    private static void writeList(StringBuilder sb, Collection<?> list, Format format, int depth) {
        if (list.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        boolean first = true;
        for (Object o : list) {
            if (!first) {
                sb.append(format.itemSeparator());
            }
            first = false;
            newline(sb, format, depth + 1);
            write(sb, o, format, depth + 1);
        }
        newline(sb, format, depth);
        sb.append(']');
    }

    /** Keys as Python writes them: strings as-is, numbers and booleans as their JSON text. */
    private static String keyString(Object key) {
        return switch (key) {
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Number n -> jsonNumber(n);
            default -> key.toString();
        };
    }

    private static void newline(StringBuilder sb, Format format, int depth) {
        if (format.indent() != null) {
            sb.append('\n');
            sb.append(format.indent().repeat(depth));
        }
    }

    /** A JSON string with {@code ensure_ascii=False}: only quotes, backslashes and controls escaped. */
    static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    // ---- reading ---------------------------------------------------------------------------

    /**
     * Parses JSON text into maps (insertion ordered), lists, strings, longs, doubles, booleans and
     * nulls.
     *
     * @throws IllegalArgumentException when the text is not one JSON value
     */
    static Object parse(String text) {
        Reader reader = new Reader(text);
        reader.skipSpace();
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.pos != text.length()) {
            throw reader.error("trailing characters");
        }
        return value;
    }

    private static final class Reader {
        private static final int MAX_DEPTH = 512;
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
        }

        void skipSpace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected character");
            }
            pos += word.length();
            return value;
        }

        private Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) != '"') {
                    throw error("expected a key");
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                map.put(key, value(depth + 1));
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        private List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value(depth + 1));
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        private void expect(char c) {
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    throw error("unterminated escape");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("short unicode escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad unicode escape");
                        }
                        pos += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String n = text.substring(start, pos);
            if (n.isEmpty()) {
                throw error("unexpected character");
            }
            try {
                if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
                    return Long.parseLong(n);
                }
                return Double.parseDouble(n);
            } catch (NumberFormatException ex) {
                throw error("bad number");
            }
        }
    }
}
