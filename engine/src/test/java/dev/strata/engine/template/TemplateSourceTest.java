package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TemplateSourceTest {

    private static String rewrite(String template) {
        return TemplateSource.rewrite(template).source();
    }

    @Test
    void trimBlocksAndLstripBlocksFollowJinja2() {
        assertThat(rewrite("a\n  {% if x %}\n  b\n  {% endif %}\nc")).isEqualTo("a\n{% if x %}  b\n{% endif %}c");
        assertThat(rewrite("{# note #}\nx")).isEqualTo("x");
        assertThat(rewrite("  {{ x }}\n")).isEqualTo("  {{ (x)|__py_print }}");
    }

    @Test
    void dashAndPlusMarkersControlWhitespace() {
        assertThat(rewrite("a  \n {%- if x -%} \n b")).isEqualTo("a{% if x %}b");
        assertThat(rewrite("  {%+ if x +%}\nb")).isEqualTo("  {% if x %}\nb");
        assertThat(rewrite("a \n{{- x -}}\n b")).isEqualTo("a{{ (x)|__py_print }}b");
    }

    @Test
    void newlinesAreNormalisedAndOneTrailingNewlineDropped() {
        assertThat(rewrite("a\r\nb\rc\n\n")).isEqualTo("a\nb\nc\n");
    }

    @Test
    void stringsMayHoldDelimiters() {
        assertThat(rewrite("{{ '}}' + \"%}\" }}")).isEqualTo("{{ ('}}' + \"%}\")|__py_print }}");
    }

    @Test
    void rawBlocksAreCopiedVerbatim() {
        assertThat(rewrite("{% raw %}{{ x }}{% endraw %}")).isEqualTo("{% raw %}{{ x }}{% endraw %}");
    }

    @Test
    void pythonSyntaxIsRewrittenForJinjava() {
        assertThat(TemplateSource.rewriteExpression("messages[::-1]")).isEqualTo("(messages|__py_slice(none, none, -1))");
        assertThat(TemplateSource.rewriteExpression("a.b[0][1:5:2]")).isEqualTo("(a.b[0]|__py_slice(1, 5, 2))");
        assertThat(TemplateSource.rewriteExpression("not x is defined and y"))
                .isEqualTo("not (x is defined) and y");
        assertThat(TemplateSource.rewriteExpression("x not in y")).isEqualTo("x not in y");
        assertThat(TemplateSource.rewriteExpression("x is not none")).isEqualTo("x is not none");
        assertThat(TemplateSource.rewriteExpression("namespace(n=xs|length - 1, m='a')"))
                .isEqualTo("namespace(n=(xs|length - 1), m=('a'))");
        assertThat(TemplateSource.rewriteExpression("'not x is y'")).isEqualTo("'not x is y'");
        assertThat(TemplateSource.rewriteExpression("xs|map('f')|list is defined"))
                .isEqualTo("(xs|map('f')|list) is defined");
    }

    @Test
    void freeNamesAreTheVariablesATemplateReads() {
        var names = TemplateSource.rewrite(
                "{% for m in messages %}{{ m.content | trim }}{% endfor %}{% if tools is defined and not x.y %}"
                + "{{ raise_exception('a') }}{% endif %}{% set z = loop %}").freeNames();
        assertThat(names).contains("messages", "m", "tools", "x", "z").doesNotContain("content", "trim",
                "defined", "raise_exception", "loop", "y", "a");
    }

    @Test
    void unclosedTagsAreRejected() {
        assertThatThrownBy(() -> rewrite("{{ x ")).isInstanceOf(IllegalArgumentException.class);
    }
}
