package dev.strata.server.chat;

import java.util.List;

/**
 * ChatML ({@code <|im_start|>role\ncontent<|im_end|>\n}), the format of many instruction-tuned models
 * and llama.cpp's fallback when a model has no template.
 */
public final class ChatMlFormatter implements ChatFormatter {
    @Override
    public String render(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        return sb.append("<|im_start|>assistant\n").toString();
    }
}
