package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Jinja2 features one at a time (string methods, slices, loop variables, tests, filters,
 * operators, whitespace control, errors), each against what Python jinja2 renders in Hugging
 * Face's environment ({@code templates/snippets/snippets.json}, made by {@code generate.py} there).
 */
class JinjaSemanticsTest {

    @TestFactory
    @SuppressWarnings("unchecked")
    Stream<DynamicTest> snippetsRenderAsInPython() {
        JsonNode file = TemplateCorpus.readJson(TemplateCorpus.root().resolve("snippets/snippets.json"));
        Map<String, Object> variables = TemplateCorpus.JSON.convertValue(file.get("variables"), Map.class);
        TemplateOptions options = new TemplateOptions("<s>", "</s>", TemplateCorpus.FIXED_CLOCK);
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (JsonNode c : file.get("cases")) {
            String template = c.get("template").asText();
            tests.add(DynamicTest.dynamicTest("#" + i++ + " " + template.substring(0, Math.min(60, template.length())), () -> {
                ChatTemplate t = ChatTemplate.compile(template, options);
                if (c.hasNonNull("error")) {
                    String error = c.get("error").asText();
                    var thrown = assertThatThrownBy(() -> t.renderVariables(variables))
                            .isInstanceOf(EngineException.InvalidRequest.class);
                    if (!error.startsWith("TypeError")) {
                        thrown.hasMessage(TemplateCorpus.errorMessage(error));
                    }
                } else {
                    assertThat(t.renderVariables(variables)).isEqualTo(c.get("expected").asText());
                }
            }));
        }
        return tests.stream();
    }
}
