package dev.strata.server.chat;

import java.util.List;

/** Renders a conversation into prompt text, ending where the assistant's reply should start. */
@FunctionalInterface
public interface ChatFormatter {

    /**
     * @throws dev.strata.server.GatewayException.InvalidRequest when the template rejects the
     *         conversation (e.g. roles out of order); the message is the template's own
     */
    String render(List<ChatMessage> messages);
}
