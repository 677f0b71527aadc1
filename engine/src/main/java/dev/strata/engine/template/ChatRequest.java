package dev.strata.engine.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one rendering of a chat template needs: the conversation, the tools offered (JSON-like
 * values: maps, lists, strings, numbers, booleans; empty means the template gets no {@code tools}
 * variable at all), whether to open the assistant's turn ({@code add_generation_prompt}), and
 * extra template variables (e.g. {@code enable_thinking}, {@code documents}).
 */
public record ChatRequest(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt,
                          Map<String, Object> extra) {

    public ChatRequest {
        Objects.requireNonNull(messages, "messages");
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(tools));
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));
    }

    public static ChatRequest of(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return new ChatRequest(messages, List.of(), addGenerationPrompt, Map.of());
    }
}
