package dev.strata.server.chat;

import java.util.Objects;

/** One message of a conversation: {@code role} is system, user, assistant, tool or developer. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
