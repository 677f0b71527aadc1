package dev.strata.engine.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every shipped template compiles and renders a simple conversation through the public API. */
class ChatTemplateCorpusTest {

    private static final TemplateOptions OPTIONS = new TemplateOptions("<s>", "</s>", TemplateCorpus.FIXED_CLOCK);

    @TestFactory
    Stream<DynamicTest> everyTemplateRendersASimpleConversation() {
        return TemplateCorpus.files("", ".jinja").stream().map(p -> DynamicTest.dynamicTest(
                p.getFileName().toString(), () -> {
                    ChatTemplate t = ChatTemplate.compile(TemplateCorpus.read(p), OPTIONS);
                    // firefunction-v2 requires its own `functions` and `datetime` variables (Python raises without them too)
                    Map<String, Object> extra = p.getFileName().toString().contains("firefunction")
                            ? Map.of("functions", "[]", "datetime", "2024-07-26") : Map.of();
                    String out = t.render(new ChatRequest(List.of(ChatMessage.user("Hello!")), List.of(), true, extra));
                    assertThat(out).contains("Hello!");
                }));
    }
}
