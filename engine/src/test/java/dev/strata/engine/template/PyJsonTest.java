package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PyJsonTest {

    private static Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", Arrays.asList(1.5, null, true, "é\"\n\u0001"));
        m.put("e", Map.of());
        return m;
    }

    @Test
    void dumpsLikePythonJsonWithEnsureAsciiFalse() {
        assertThat(PyJson.dumps(sample(), PyJson.Format.COMPACT))
                .isEqualTo("{\"z\": 1, \"a\": [1.5, null, true, \"é\\\"\\n\\u0001\"], \"e\": {}}");
    }

    @Test
    void indentUsesCommaWithoutSpaceAndNewlines() {
        assertThat(PyJson.dumps(List.of(1L, Map.of("k", List.of())), PyJson.Format.of(2L, null, null, false)))
                .isEqualTo("[\n  1,\n  {\n    \"k\": []\n  }\n]");
    }

    @Test
    void separatorsAndSortKeys() {
        assertThat(PyJson.dumps(sample(), PyJson.Format.of(null, ",", ":", true)))
                .isEqualTo("{\"a\":[1.5,null,true,\"é\\\"\\n\\u0001\"],\"e\":{},\"z\":1}");
    }

    @Test
    void floatsPrintAsPythonRepr() {
        assertThat(PyValues.floatRepr(1.0)).isEqualTo("1.0");
        assertThat(PyValues.floatRepr(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(PyValues.floatRepr(1e-5)).isEqualTo("1e-05");
        assertThat(PyValues.floatRepr(1e20)).isEqualTo("1e+20");
        assertThat(PyValues.floatRepr(123456.789)).isEqualTo("123456.789");
    }

    @Test
    void parsesJsonKeepingKeyOrder() {
        Object v = PyJson.parse(" {\"b\": [1, 2.5, \"x\\u00e9\"], \"a\": {\"t\": true, \"n\": null}} ");
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("t", true);
        inner.put("n", null);
        assertThat(v).isEqualTo(Map.of("b", List.of(1L, 2.5, "xé"), "a", inner));
        assertThat(List.copyOf(((Map<?, ?>) v).keySet())).isEqualTo(List.of("b", "a"));
        assertThatThrownBy(() -> PyJson.parse("{\"a\": }")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PyJson.parse("[1] x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void undefinedIsNotSerializable() {
        assertThatThrownBy(() -> PyJson.dumps(PyUndefined.name("x"), PyJson.Format.COMPACT))
                .isInstanceOf(TemplateRaise.TypeError.class);
    }
}
