package dev.strata.server.chat;

import dev.strata.engine.EngineException;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.server.GatewayException;
import java.util.List;

/**
 * Renders with the model's own chat template ({@code engine.template}); a template that raises
 * becomes a 400 on {@code messages} carrying the template's message.
 */
public final class TemplateChatFormatter implements ChatFormatter {
    private final ChatTemplate template;

    public TemplateChatFormatter(ChatTemplate template) {
        this.template = template;
    }

    @Override
    public String render(List<ChatMessage> messages) {
        List<dev.strata.engine.template.ChatMessage> converted = messages.stream()
                .map(m -> dev.strata.engine.template.ChatMessage.of(m.role(), m.content())).toList();
        try {
            return template.render(converted, true);
        } catch (EngineException.InvalidRequest e) {
            throw new GatewayException.InvalidRequest(e.getMessage(), "messages", "invalid_prompt");
        }
    }
}
