package dev.strata.server.inference;

import dev.strata.server.chat.ChatMessage;

/** The canonical text of a prompt that the audit log hashes (see {@code audit.CallRecord}). */
final class PromptText {
    private PromptText() {}

    static String canonical(Prompt prompt) {
        StringBuilder sb = new StringBuilder();
        switch (prompt) {
            case Prompt.Texts t -> t.texts().forEach(text -> sep(sb).append(text));
            case Prompt.Tokens t -> t.prompts().forEach(ids -> {
                sep(sb);
                for (int i = 0; i < ids.length; i++) {
                    sb.append(i == 0 ? "" : " ").append(ids[i]);
                }
            });
            case Prompt.Chat c -> {
                for (ChatMessage m : c.messages()) {
                    sep(sb).append(m.role()).append(':').append(m.content());
                }
            }
        }
        return sb.toString();
    }

    private static StringBuilder sep(StringBuilder sb) {
        return sb.isEmpty() ? sb : sb.append('\u0000');
    }
}
