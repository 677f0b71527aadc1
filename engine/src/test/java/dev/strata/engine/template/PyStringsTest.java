package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PyStringsTest {

    private static Object call(String s, String method, Object... args) {
        return PyStrings.call(s, method, args);
    }

    @Test
    void stripFamilyMatchesPython() {
        assertThat(call(" \t\nx \u00a0", "strip")).isEqualTo("x");
        assertThat(call("xxhixx", "strip", "x")).isEqualTo("hi");
        assertThat(call("  hi  ", "lstrip")).isEqualTo("hi  ");
        assertThat(call("  hi\n", "rstrip")).isEqualTo("  hi");
    }

    @Test
    void splitMatchesPython() {
        assertThat(call("  a  b ", "split")).isEqualTo(List.of("a", "b"));
        assertThat(call("a,,b", "split", ",")).isEqualTo(List.of("a", "", "b"));
        assertThat(call("a b c", "split", " ", 1L)).isEqualTo(List.of("a", "b c"));
        assertThat(call("a b c", "rsplit", " ", 1L)).isEqualTo(List.of("a b", "c"));
        assertThat(call("x</think>y</think>z", "split", "</think>")).isEqualTo(List.of("x", "y", "z"));
        assertThat(call("a\nb\r\nc\n", "splitlines")).isEqualTo(List.of("a", "b", "c"));
    }

    @Test
    void affixesCaseAndFormatting() {
        assertThat(call("hello", "startswith", List.of("x", "he"))).isEqualTo(true);
        assertThat(call("hello", "endswith", "lo")).isEqualTo(true);
        assertThat(call("hello wORLD", "title")).isEqualTo("Hello World");
        assertThat(call("{} and {0} and {name}", "format", "a", new com.hubspot.jinjava.el.ext.NamedParameter("name", "n")))
                .isEqualTo("a and a and n");
        assertThat(call("aaa", "replace", "a", "b", 2L)).isEqualTo("bba");
        assertThat(call(",", "join", List.of("a", "b"))).isEqualTo("a,b");
        assertThat(call("hello", "nonsense")).isSameAs(PythonMethods.NOT_HANDLED);
    }
}
