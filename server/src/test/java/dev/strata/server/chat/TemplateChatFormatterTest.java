package dev.strata.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.server.GatewayException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateChatFormatterTest {
    private static final TemplateOptions OPTIONS = TemplateOptions.of("<s>", "</s>");

    @Test
    void rendersWithTheGenerationPrompt() {
        String text = new TemplateChatFormatter(ChatTemplate.chatMl(OPTIONS))
                .render(List.of(new ChatMessage("user", "hi")));
        assertThat(text).isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void aTemplateThatRaisesIsA400CarryingItsMessage() {
        ChatTemplate strict = ChatTemplate.compile("""
                {%- for m in messages -%}{%- if m.role == 'system' -%}{{ raise_exception('System role not supported') }}\
                {%- endif -%}{{ m.content }}{%- endfor -%}""", OPTIONS);
        assertThatThrownBy(() -> new TemplateChatFormatter(strict).render(List.of(new ChatMessage("system", "x"))))
                .isInstanceOfSatisfying(GatewayException.InvalidRequest.class, e -> {
                    assertThat(e.getMessage()).contains("System role not supported");
                    assertThat(e.param()).isEqualTo("messages");
                });
    }
}
