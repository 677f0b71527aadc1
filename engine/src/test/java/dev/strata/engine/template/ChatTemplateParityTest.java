package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.EngineException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Exact parity with Python jinja2 + Hugging Face on real templates: every case of
 * {@code expected/}, {@code expected/minja-polyfill/} and {@code rendered/} must give the same
 * text, or raise the same message.
 */
class ChatTemplateParityTest {

    @TestFactory
    Stream<DynamicTest> llamaCppExpectedRenderings() {
        return TemplateCorpus.files("expected", ".json").stream().map(p -> DynamicTest.dynamicTest(
                p.getFileName().toString(), () -> {
                    JsonNode c = TemplateCorpus.readJson(p);
                    assertThat(TemplateCorpus.render(TemplateCorpus.template(c), c))
                            .isEqualTo(c.get("expected").asText());
                }));
    }

    @TestFactory
    Stream<DynamicTest> minjaPolyfillCasesMatchPlainJinja2() {
        return TemplateCorpus.files("expected/minja-polyfill", ".json").stream().map(p -> DynamicTest.dynamicTest(
                p.getFileName().toString(), () -> {
                    JsonNode c = TemplateCorpus.readJson(p);
                    String template = TemplateCorpus.template(c);
                    if (c.hasNonNull("jinja2_error")) {
                        assertThatThrownBy(() -> TemplateCorpus.render(template, c))
                                .isInstanceOf(EngineException.InvalidRequest.class)
                                .hasMessage(TemplateCorpus.errorMessage(c.get("jinja2_error").asText()));
                    } else {
                        assertThat(TemplateCorpus.render(template, c)).isEqualTo(c.get("jinja2_output").asText());
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> renderedConversations() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : TemplateCorpus.files("rendered", ".json")) {
            JsonNode file = TemplateCorpus.readJson(p);
            String template = TemplateCorpus.read(TemplateCorpus.root().resolve(file.get("template_file").asText()));
            int i = 0;
            for (JsonNode c : file.get("cases")) {
                tests.add(DynamicTest.dynamicTest(p.getFileName() + " #" + i++, () -> {
                    if (c.hasNonNull("error")) {
                        assertThatThrownBy(() -> TemplateCorpus.render(template, c))
                                .isInstanceOf(EngineException.InvalidRequest.class)
                                .hasMessage(TemplateCorpus.errorMessage(c.get("error").asText()));
                    } else {
                        assertThat(TemplateCorpus.render(template, c)).isEqualTo(c.get("expected").asText());
                    }
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Derived cases (tools, tool calls and results, multi-part content, unicode, extra variables)
     * rendered by Python jinja2 with Hugging Face's environment: same text, or the same
     * {@code raise_exception}/undefined message; for Python {@code TypeError}s, an error.
     */
    @TestFactory
    Stream<DynamicTest> derivedConversations() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : TemplateCorpus.files("derived", ".json")) {
            JsonNode file = TemplateCorpus.readJson(p);
            String template = TemplateCorpus.read(TemplateCorpus.root().resolve(file.get("template_file").asText()));
            for (JsonNode c : file.get("cases")) {
                tests.add(DynamicTest.dynamicTest(p.getFileName() + " " + c.get("name").asText(), () -> {
                    if (c.hasNonNull("error")) {
                        String error = c.get("error").asText();
                        var thrown = assertThatThrownBy(() -> TemplateCorpus.renderDerived(template, c))
                                .isInstanceOf(EngineException.InvalidRequest.class);
                        if (error.startsWith("TemplateError: ") || error.startsWith("UndefinedError: ")) {
                            thrown.hasMessage(TemplateCorpus.errorMessage(error));
                        }
                    } else {
                        assertThat(TemplateCorpus.renderDerived(template, c)).isEqualTo(c.get("expected").asText());
                    }
                }));
            }
        }
        return tests.stream();
    }
}
