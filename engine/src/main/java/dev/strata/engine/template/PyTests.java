package dev.strata.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.NullValue;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * jinja2's tests ({@code x is defined}, {@code is none}, {@code is string}...) over the values a
 * template sees, where an explicit {@code None} is defined and a missing key is not (Jinjava
 * treats both as {@code null}).
 */
final class PyTests {

    private PyTests() {}

    /** One test by name. */
    record PyTest(String name, Predicate<Object> test) implements ExpTest {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return test.test(var);
        }
    }

    /**
     * Python's truth value: None, undefined, False, 0, and empty strings, lists and dicts are
     * false; everything else (the string "false" included, unlike Jinjava) is true.
     */
    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case PyUndefined u -> false;
            case NullValue n -> false;
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            case CharSequence s -> !s.isEmpty();
            case SafeString s -> !s.toString().isEmpty();
            case java.util.Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> ObjectTruthValue.evaluate(v);
        };
    }

    static boolean isNone(Object v) {
        return v == null || v instanceof NullValue;
    }

    static List<PyTest> all() {
        return List.of(
                new PyTest("defined", v -> !(v instanceof PyUndefined)),
                new PyTest("undefined", v -> v instanceof PyUndefined),
                new PyTest("none", PyTests::isNone),
                new PyTest("string", v -> v instanceof CharSequence || v instanceof SafeString),
                new PyTest("mapping", v -> v instanceof Map<?, ?>),
                new PyTest("iterable", v -> v instanceof Iterable<?> || v instanceof Map<?, ?>
                        || v instanceof CharSequence || v instanceof SafeString || v instanceof PyUndefined),
                new PyTest("sequence", v -> v instanceof List<?> || v instanceof Map<?, ?>
                        || v instanceof CharSequence || v instanceof SafeString || v instanceof PyUndefined),
                new PyTest("boolean", v -> v instanceof Boolean),
                new PyTest("true", v -> Boolean.TRUE.equals(v)),
                new PyTest("false", v -> Boolean.FALSE.equals(v)),
                new PyTest("number", v -> v instanceof Number || v instanceof Boolean),
                new PyTest("integer", v -> v instanceof Long || v instanceof Integer || v instanceof Short
                        || v instanceof java.math.BigInteger),
                new PyTest("float", v -> v instanceof Double || v instanceof Float
                        || v instanceof BigDecimal b && b.scale() > 0));
    }
}
