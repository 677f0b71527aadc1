package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The first resolver Jinjava asks for {@code base.property} and {@code base.method(args)}: it gives
 * strings, dicts and lists Python's behaviour, which chat templates assume. Strings get
 * {@code strip}, {@code split}, {@code startswith}, {@code format}... (Java's {@code split} is a
 * regex and {@code strip} takes no argument); a dict's missing key is {@link PyUndefined} rather than
 * {@code null}; indexes may be negative. Anything else falls through to Jinjava's own resolvers.
 */
final class PythonMethods extends ELResolver {

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        switch (base) {
            case null -> {
                return null;
            }
            case PyUndefined u -> throw new TemplateRaise.Undefined(u.hint());
            case PyLoop loop when "previtem".equals(property) || "nextitem".equals(property) -> {
                context.setPropertyResolved(true);
                return "previtem".equals(property) ? loop.previtem() : loop.nextitem();
            }
            case Map<?, ?> map -> {
                context.setPropertyResolved(true);
                Object key = property instanceof SafeString s ? s.toString() : property;
                if (map.containsKey(key)) {
                    return map.get(key);
                }
                Long numericKey = numericKey(key);
                if (numericKey != null && map.containsKey(numericKey)) {
                    return map.get(numericKey); // Jinjava passes d[512] as the string "512"
                }
                return PyUndefined.attribute(base, key);
            }
            case CharSequence s when indexOf(property) != null -> {
                context.setPropertyResolved(true);
                String text = s.toString();
                int i = index(indexOf(property).intValue(), text.length());
                return i < 0 ? PyUndefined.attribute(base, property) : String.valueOf(text.charAt(i));
            }
            case List<?> list when indexOf(property) != null -> {
                context.setPropertyResolved(true);
                int i = index(indexOf(property).intValue(), list.size());
                return i < 0 ? PyUndefined.attribute(base, property) : list.get(i);
            }
            case CharSequence s -> {
                context.setPropertyResolved(true);
                return PyUndefined.attribute(base, property);
            }
            case List<?> list -> {
                context.setPropertyResolved(true);
                return PyUndefined.attribute(base, property);
            }
            case Number n -> {
                context.setPropertyResolved(true);
                return PyUndefined.attribute(base, property);
            }
            case Boolean b -> {
                context.setPropertyResolved(true);
                return PyUndefined.attribute(base, property);
            }
            default -> {
                return null;
            }
        }
    }

    /** An integer index, given as a number or (as Jinjava passes brackets) its decimal string. */
    private static Long indexOf(Object property) {
        if (property instanceof Long || property instanceof Integer || property instanceof Short) {
            return ((Number) property).longValue();
        }
        return numericKey(property);
    }

    private static Long numericKey(Object key) {
        if (key instanceof String s && !s.isEmpty() && s.length() < 19 && s.chars().allMatch(c -> c == '-' || Character.isDigit(c))) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Python's index rule: negative counts from the end; -1 when out of range. */
    private static int index(int i, int size) {
        int j = i < 0 ? i + size : i;
        return j >= 0 && j < size ? j : -1;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base instanceof PyUndefined u) {
            throw new TemplateRaise.Undefined(u.hint());
        }
        String name = String.valueOf(method);
        Object[] args = params == null ? new Object[0] : params;
        Object direct = callLibrary(base, name, args);
        if (direct != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return direct;
        }
        Object result = switch (base) {
            case String s -> PyStrings.call(s, name, args);
            case SafeString s -> PyStrings.call(s.toString(), name, args);
            case Map<?, ?> m -> dictMethod(m, name, args);
            default -> NOT_HANDLED;
        };
        if (result == NOT_HANDLED) {
            boolean known = switch (base) {
                case CharSequence s -> false;
                case SafeString s -> false;
                case Map<?, ?> m -> DICT_METHODS.contains(name);
                case List<?> l -> LIST_METHODS.contains(name);
                default -> true;
            };
            if (!known) {
                throw new TemplateRaise.Undefined(PyUndefined.attribute(base, name).hint());
            }
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    /** Python list methods Jinjava's {@code PyList} implements; any other name on a list is undefined. */
    private static final java.util.Set<String> LIST_METHODS = java.util.Set.of("append", "extend", "insert", "pop",
            "remove", "index", "count", "reverse", "sort", "copy", "clear");

    /** Python dict methods left to Jinjava's {@code PyMap}. */
    private static final java.util.Set<String> DICT_METHODS = java.util.Set.of("pop", "update", "setdefault", "copy",
            "clear", "popitem");

    /**
     * Filters and tests are Java objects Jinjava calls by reflection ({@code filter:trim.filter(...)}),
     * looking the method up on every call; calling them directly here is most of a render's speed.
     */
    @SuppressWarnings("unchecked")
    private static Object callLibrary(Object base, String name, Object[] args) {
        if (base instanceof Filter filter && name.equals("filter") && args.length == 4
                && args[1] instanceof JinjavaInterpreter interpreter && args[2] instanceof Object[] positional
                && args[3] instanceof Map<?, ?> kwargs) {
            return filter.filter(args[0], interpreter, positional, (Map<String, Object>) kwargs);
        }
        if (base instanceof ExpTest test && args.length >= 2 && args[1] instanceof JinjavaInterpreter interpreter
                && (name.equals("evaluate") || name.equals("evaluateNegated"))) {
            Object[] rest = java.util.Arrays.copyOfRange(args, 2, args.length);
            return name.equals("evaluate") ? test.evaluate(args[0], interpreter, rest)
                    : test.evaluateNegated(args[0], interpreter, rest);
        }
        return NOT_HANDLED;
    }

    /** Marks a call this resolver leaves to the next one. */
    static final Object NOT_HANDLED = new Object();

    private static Object dictMethod(Map<?, ?> map, String name, Object[] args) {
        return switch (name) {
            case "items" -> {
                List<Object> items = new ArrayList<>(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    items.add(PyTuple.pair(e.getKey(), e.getValue()));
                }
                yield items;
            }
            case "keys" -> new ArrayList<>(map.keySet());
            case "values" -> new ArrayList<>(map.values());
            case "get" -> {
                if (args.length < 1 || args.length > 2) {
                    yield NOT_HANDLED;
                }
                Object key = args[0] instanceof SafeString s ? s.toString() : args[0];
                yield map.containsKey(key) ? map.get(key) : args.length == 2 ? args[1] : null;
            }
            default -> NOT_HANDLED;
        };
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // writes go to Jinjava's own resolvers
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return Collections.emptyIterator();
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return Object.class;
    }

    static boolean isStringLike(Object o) {
        return o instanceof CharSequence || o instanceof SafeString;
    }
}
