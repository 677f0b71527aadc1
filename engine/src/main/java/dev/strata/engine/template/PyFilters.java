package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The jinja2 filters whose Jinjava versions behave differently on values chat templates pass
 * ({@code tojson}'s spacing, {@code default} on undefined only, {@code length} of undefined,
 * {@code indent}'s first-line rule...), plus the two the pre-pass inserts: {@code __py_print}
 * and {@code __py_reverse}. Each follows jinja2 3.1's {@code filters.py}.
 */
final class PyFilters {

    private PyFilters() {}

    /** One filter: a name and what it does with the value, positional and keyword arguments. */
    record PyFilter(String name, Body body) implements AdvancedFilter {
        @FunctionalInterface
        interface Body {
            Object apply(Object value, Object[] args, Map<String, Object> kwargs);
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return body.apply(var, args == null ? new Object[0] : args, kwargs == null ? Map.of() : kwargs);
        }

        @Override
        public boolean preserveSafeString() {
            return false;
        }
    }

    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)");

    static List<PyFilter> all() {
        return List.of(
                new PyFilter("__py_print", (v, a, k) -> PyValues.str(v)),
                new PyFilter("__py_reverse", (v, a, k) -> reverse(v)),
                new PyFilter("reverse", (v, a, k) -> reverse(v)),
                new PyFilter("__py_slice", (v, a, k) -> slice(v, a)),
                new PyFilter("max", (v, a, k) -> extreme(v, a, k, 1)),
                new PyFilter("min", (v, a, k) -> extreme(v, a, k, -1)),
                new PyFilter("string", (v, a, k) -> PyValues.str(v)),
                new PyFilter("tojson", PyFilters::tojson),
                new PyFilter("default", PyFilters::defaultValue),
                new PyFilter("d", PyFilters::defaultValue),
                new PyFilter("length", (v, a, k) -> length(v)),
                new PyFilter("count", (v, a, k) -> length(v)),
                new PyFilter("list", (v, a, k) -> PyValues.iterate(v)),
                new PyFilter("items", (v, a, k) -> items(v)),
                new PyFilter("trim", (v, a, k) -> PyStrings.strip(PyValues.str(v), arg(a, k, 0, "chars") == null
                        ? null : arg(a, k, 0, "chars").toString(), true, true)),
                new PyFilter("upper", (v, a, k) -> PyValues.str(v).toUpperCase(Locale.ROOT)),
                new PyFilter("lower", (v, a, k) -> PyValues.str(v).toLowerCase(Locale.ROOT)),
                new PyFilter("capitalize", (v, a, k) -> PyStrings.call(PyValues.str(v), "capitalize", new Object[0])),
                new PyFilter("title", (v, a, k) -> title(PyValues.str(v))),
                new PyFilter("join", PyFilters::join),
                new PyFilter("replace", (v, a, k) -> PyStrings.call(PyValues.str(v), "replace", a)),
                new PyFilter("indent", PyFilters::indent),
                new PyFilter("dictsort", PyFilters::dictsort),
                new PyFilter("round", PyFilters::round),
                new PyFilter("map", PyFilters::map),
                new PyFilter("select", (v, a, k) -> select(v, a, false, false)),
                new PyFilter("reject", (v, a, k) -> select(v, a, true, false)),
                new PyFilter("selectattr", (v, a, k) -> select(v, a, false, true)),
                new PyFilter("rejectattr", (v, a, k) -> select(v, a, true, true)),
                new PyFilter("sort", PyFilters::sort),
                new PyFilter("first", (v, a, k) -> {
                    List<Object> items = PyValues.iterate(v);
                    return items.isEmpty() ? new PyUndefined("No first item, sequence was empty.") : items.getFirst();
                }),
                new PyFilter("last", (v, a, k) -> {
                    List<Object> items = PyValues.iterate(v);
                    return items.isEmpty() ? new PyUndefined("No last item, sequence was empty.") : items.getLast();
                }));
    }

    private static Object arg(Object[] args, Map<String, Object> kwargs, int i, String name) {
        return i < args.length ? args[i] : kwargs.get(name);
    }

    private static Object reverse(Object v) {
        if (v instanceof CharSequence || v instanceof SafeString) {
            return new StringBuilder(v.toString()).reverse().toString();
        }
        List<Object> items = PyValues.iterate(v);
        Collections.reverse(items);
        return items;
    }

    /** Python's {@code seq[start:stop:step]} (any of them None), for lists and strings. */
    private static Object slice(Object v, Object[] args) {
        boolean text = v instanceof CharSequence || v instanceof SafeString;
        List<Object> items = PyValues.iterate(v);
        int n = items.size();
        int step = args.length > 2 && args[2] != null ? ((Number) args[2]).intValue() : 1;
        if (step == 0) {
            throw new TemplateRaise.TypeError("slice step cannot be zero");
        }
        int start = bound(args.length > 0 ? args[0] : null, n, step > 0 ? 0 : n - 1, step);
        int stop = bound(args.length > 1 ? args[1] : null, n, step > 0 ? n : -1, step);
        List<Object> out = new ArrayList<>();
        for (int i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(items.get(i));
        }
        if (text) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static int bound(Object index, int n, int dflt, int step) {
        if (index == null) {
            return dflt;
        }
        int i = ((Number) index).intValue();
        if (i < 0) {
            i += n;
        }
        return step > 0 ? Math.max(0, Math.min(i, n)) : Math.max(-1, Math.min(i, n - 1));
    }

    /** jinja2's {@code max}/{@code min(case_sensitive=False, attribute=None)}. */
    private static Object extreme(Object v, Object[] args, Map<String, Object> kwargs, int sign) {
        boolean caseSensitive = Boolean.TRUE.equals(arg(args, kwargs, 0, "case_sensitive"));
        Object attributeName = arg(args, kwargs, 1, "attribute");
        Object best = null;
        boolean any = false;
        for (Object item : PyValues.iterate(v)) {
            if (!any || sign * compare(attribute(item, attributeName), attribute(best, attributeName), caseSensitive) > 0) {
                best = item;
                any = true;
            }
        }
        return any ? best : new PyUndefined("No aggregated item, sequence was empty.");
    }

    private static Object tojson(Object v, Object[] args, Map<String, Object> kwargs) {
        Object indent = arg(args, kwargs, 0, "indent");
        String itemSeparator = null;
        String keySeparator = null;
        Object separators = kwargs.get("separators");
        if (separators instanceof List<?> pair && pair.size() == 2) {
            itemSeparator = String.valueOf(pair.get(0));
            keySeparator = String.valueOf(pair.get(1));
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        return PyJson.dumps(v, PyJson.Format.of(indent, itemSeparator, keySeparator, sortKeys));
    }

    private static Object defaultValue(Object v, Object[] args, Map<String, Object> kwargs) {
        Object fallback = arg(args, kwargs, 0, "default_value");
        Object booleanArg = arg(args, kwargs, 1, "boolean");
        boolean useFalsy = booleanArg instanceof Boolean b && b;
        if (v instanceof PyUndefined || useFalsy && !PyTests.truthy(v)) {
            return fallback == null && args.length == 0 && !kwargs.containsKey("default_value") ? "" : fallback;
        }
        return v;
    }

    static long length(Object v) {
        return switch (v) {
            case null -> throw new TemplateRaise.TypeError("object of type 'NoneType' has no len()");
            case PyGenerator g -> throw new TemplateRaise.TypeError("object of type 'generator' has no len()");
            case PyUndefined u -> 0L;
            case CharSequence s -> s.toString().codePointCount(0, s.length());
            case SafeString s -> s.toString().codePointCount(0, s.toString().length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            default -> PyValues.iterate(v).size();
        };
    }

    private static List<Object> items(Object v) {
        List<Object> items = new ArrayList<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((key, value) -> items.add(PyTuple.pair(key, value)));
        } else if (!(v instanceof PyUndefined)) {
            throw new TemplateRaise.TypeError("Can only get item pairs from a mapping.");
        }
        return items;
    }

    /** jinja2's {@code title}: capitalise each word, words split at dashes, spaces and brackets. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        var m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            appendTitled(sb, s.substring(last, m.start()));
            sb.append(m.group());
            last = m.end();
        }
        appendTitled(sb, s.substring(last));
        return sb.toString();
    }

    private static void appendTitled(StringBuilder sb, String item) {
        if (!item.isEmpty()) {
            int first = item.codePointAt(0);
            sb.appendCodePoint(Character.toUpperCase(first));
            sb.append(item.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
        }
    }

    private static Object join(Object v, Object[] args, Map<String, Object> kwargs) {
        Object sep = arg(args, kwargs, 0, "d");
        Object attribute = arg(args, kwargs, 1, "attribute");
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object item : PyValues.iterate(v)) {
            if (!first && sep != null) {
                sb.append(PyValues.str(sep));
            }
            first = false;
            Object value = item;
            if (attribute != null && item instanceof Map<?, ?> m) {
                value = m.containsKey(attribute.toString()) ? m.get(attribute.toString())
                        : PyUndefined.attribute(item, attribute);
            }
            sb.append(PyValues.str(value));
        }
        return sb.toString();
    }

    /** jinja2's {@code round(precision=0, method='common')}: a float, halves to even as Python's {@code round}. */
    private static Object round(Object v, Object[] args, Map<String, Object> kwargs) {
        Object precisionArg = arg(args, kwargs, 0, "precision");
        int precision = precisionArg instanceof Number n ? n.intValue() : 0;
        String method = String.valueOf(arg(args, kwargs, 1, "method"));
        java.math.RoundingMode mode = switch (method) {
            case "ceil" -> java.math.RoundingMode.CEILING;
            case "floor" -> java.math.RoundingMode.FLOOR;
            default -> java.math.RoundingMode.HALF_EVEN;
        };
        if (!(v instanceof Number n)) {
            throw new TemplateRaise.TypeError("type " + PyExpressions.pyType(v) + " doesn't define __round__ method");
        }
        return new java.math.BigDecimal(n.doubleValue()).setScale(precision, mode).doubleValue();
    }

    /** jinja2's {@code dictsort(case_sensitive=False, by='key', reverse=False)}: (key, value) pairs. */
    private static Object dictsort(Object v, Object[] args, Map<String, Object> kwargs) {
        boolean caseSensitive = Boolean.TRUE.equals(arg(args, kwargs, 0, "case_sensitive"));
        boolean byValue = "value".equals(String.valueOf(arg(args, kwargs, 1, "by")));
        boolean reverse = Boolean.TRUE.equals(arg(args, kwargs, 2, "reverse"));
        List<Object> pairs = items(v);
        java.util.Comparator<Object> order = (x, y) -> compare(((List<?>) x).get(byValue ? 1 : 0),
                ((List<?>) y).get(byValue ? 1 : 0), caseSensitive);
        pairs.sort(reverse ? order.reversed() : order);
        return pairs;
    }

    /** jinja2's {@code sort(reverse=False, case_sensitive=False, attribute=None)}. */
    private static Object sort(Object v, Object[] args, Map<String, Object> kwargs) {
        boolean reverse = Boolean.TRUE.equals(arg(args, kwargs, 0, "reverse"));
        boolean caseSensitive = Boolean.TRUE.equals(arg(args, kwargs, 1, "case_sensitive"));
        Object attribute = arg(args, kwargs, 2, "attribute");
        List<Object> items = PyValues.iterate(v);
        java.util.Comparator<Object> order = (x, y) -> compare(attribute(x, attribute), attribute(y, attribute),
                caseSensitive);
        items.sort(reverse ? order.reversed() : order);
        return items;
    }

    /** jinja2's attribute getter: {@code "a.b"} walks dicts, digits index lists; missing is undefined. */
    static Object attribute(Object item, Object attribute) {
        if (attribute == null) {
            return item;
        }
        if (attribute instanceof Number n) {
            return item instanceof List<?> l && n.intValue() >= 0 && n.intValue() < l.size()
                    ? l.get(n.intValue()) : PyUndefined.attribute(item, n);
        }
        Object value = item;
        for (String part : attribute.toString().split("\\.")) {
            if (value instanceof Map<?, ?> m && m.containsKey(part)) {
                value = m.get(part);
            } else if (value instanceof List<?> l && part.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(part) < l.size()) {
                value = l.get(Integer.parseInt(part));
            } else {
                return PyUndefined.attribute(value, part);
            }
        }
        return value;
    }

    /** jinja2's {@code map(filter, *args)} or {@code map(attribute=name, default=value)}. */
    private static Object map(Object v, Object[] args, Map<String, Object> kwargs) {
        List<Object> out = new ArrayList<>();
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        if (!PyTests.truthy(v)) {
            return new PyGenerator(out); // jinja2 maps nothing over a falsy value (None included)
        }
        if (args.length == 0 && kwargs.containsKey("attribute")) {
            Object name = kwargs.get("attribute");
            for (Object item : PyValues.iterate(v)) {
                Object value = attribute(item, name);
                out.add(value instanceof PyUndefined && kwargs.containsKey("default") ? kwargs.get("default") : value);
            }
            return new PyGenerator(out);
        }
        if (args.length == 0) {
            throw new TemplateRaise.TypeError("map requires a filter argument");
        }
        var filter = interpreter.getContext().getFilter(String.valueOf(args[0]));
        if (filter == null) {
            throw new TemplateRaise.TypeError("No filter named '" + args[0] + "'.");
        }
        Object[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        for (Object item : PyValues.iterate(v)) {
            out.add(filter.filter(item, interpreter, rest, kwargs));
        }
        return new PyGenerator(out);
    }

    /** {@code select}/{@code reject}({@code test, *args}) and the {@code ...attr} forms. */
    private static Object select(Object v, Object[] args, boolean reject, boolean byAttribute) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        int at = 0;
        Object attributeName = null;
        if (byAttribute) {
            if (args.length == 0) {
                throw new TemplateRaise.TypeError("Missing parameter for attribute name");
            }
            attributeName = args[at++];
        }
        com.hubspot.jinjava.lib.exptest.ExpTest test = null;
        if (at < args.length) {
            test = interpreter.getContext().getExpTest(String.valueOf(args[at]));
            if (test == null) {
                throw new TemplateRaise.TypeError("No test named '" + args[at] + "'.");
            }
            at++;
        }
        Object[] testArgs = java.util.Arrays.copyOfRange(args, Math.min(at, args.length), args.length);
        List<Object> out = new ArrayList<>();
        if (!PyTests.truthy(v)) {
            return new PyGenerator(out); // jinja2 selects nothing from a falsy value (None included)
        }
        for (Object item : PyValues.iterate(v)) {
            Object value = byAttribute ? attribute(item, attributeName) : item;
            boolean passed = test == null ? PyTests.truthy(value) : test.evaluate(value, interpreter, testArgs);
            if (passed != reject) {
                out.add(item);
            }
        }
        return new PyGenerator(out);
    }

    /** Python's ordering of two values (numbers by value, strings lower-cased unless case-sensitive). */
    static int compare(Object x, Object y, boolean caseSensitive) {
        if ((x instanceof Number || x instanceof Boolean) && (y instanceof Number || y instanceof Boolean)) {
            return Double.compare(numeric(x), numeric(y));
        }
        if (PythonMethods.isStringLike(x) && PythonMethods.isStringLike(y)) {
            String a = caseSensitive ? x.toString() : x.toString().toLowerCase(Locale.ROOT);
            String b = caseSensitive ? y.toString() : y.toString().toLowerCase(Locale.ROOT);
            return a.compareTo(b);
        }
        throw new TemplateRaise.TypeError("'<' not supported between instances of '" + PyExpressions.pyType(x)
                + "' and '" + PyExpressions.pyType(y) + "'");
    }

    private static double numeric(Object o) {
        return o instanceof Boolean b ? (b ? 1 : 0) : ((Number) o).doubleValue();
    }

    /** jinja2 3.1 {@code indent(width=4, first=False, blank=False)}. */
    private static Object indent(Object v, Object[] args, Map<String, Object> kwargs) {
        Object width = arg(args, kwargs, 0, "width");
        Object first = arg(args, kwargs, 1, "first");
        Object blank = arg(args, kwargs, 2, "blank");
        String indention = width == null ? "    "
                : width instanceof Number n ? " ".repeat(n.intValue()) : width.toString();
        String s = PyValues.str(v) + "\n";
        List<Object> lines = PyStrings.call(s, "splitlines", new Object[0]) instanceof List<?> l
                ? new ArrayList<>(l) : new ArrayList<>();
        StringBuilder rv = new StringBuilder();
        if (Boolean.TRUE.equals(blank)) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    rv.append('\n').append(indention);
                }
                rv.append(lines.get(i));
            }
        } else {
            rv.append(lines.isEmpty() ? "" : lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).toString();
                rv.append('\n');
                if (!line.isEmpty()) {
                    rv.append(indention);
                }
                rv.append(line);
            }
        }
        if (Boolean.TRUE.equals(first)) {
            rv.insert(0, indention);
        }
        return rv.toString();
    }
}
