package dev.strata.server.cli;

import dev.strata.engine.EngineException;
import dev.strata.engine.template.ChatMessage;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The history of a {@code strata chat} session and how it becomes a prompt. Every turn re-renders
 * the whole conversation (optional system message, then alternating user and assistant messages,
 * then the new user message) through the model's chat template, exactly as an OpenAI-style client
 * resends it; the engine keeps no state between turns.
 *
 * <p>The context is finite. When the prompt would leave fewer than {@code replyTokens} of it for the
 * answer, the oldest exchanges (a user message and its reply; the system message stays) are dropped
 * until it does. A new message that does not fit the context even alone, or that the template
 * refuses, is refused: a value, not an exception, so the session goes on. History changes only in
 * {@link #commit} (after a reply) and {@link #reset}, so a refused or failed turn leaves it as it was.
 */
final class ChatConversation {
    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final int contextLength;
    private final int replyTokens;
    private final ChatMessage system;
    /** Completed exchanges: user, assistant, user, assistant, ... */
    private final List<ChatMessage> turns = new ArrayList<>();

    /**
     * @param contextLength tokens the engine holds per sequence
     * @param replyTokens   room kept free for the answer when older turns can be dropped
     * @param systemPrompt  the system message, or null for none
     */
    ChatConversation(ChatTemplate template, Tokenizer tokenizer, int contextLength, int replyTokens,
            String systemPrompt) {
        this.template = Objects.requireNonNull(template, "template");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, got " + contextLength);
        }
        if (replyTokens < 0 || replyTokens >= contextLength) {
            throw new IllegalArgumentException("replyTokens must be in [0, " + contextLength + "), got " + replyTokens);
        }
        this.contextLength = contextLength;
        this.replyTokens = replyTokens;
        this.system = systemPrompt == null ? null : ChatMessage.system(systemPrompt);
    }

    /** What {@link #prompt} makes of a new user message. */
    sealed interface Prompt {
        /**
         * The prompt ids to generate from.
         *
         * @param droppedExchanges oldest exchanges left out to make room; {@link #commit} forgets them
         */
        record Ready(int[] tokens, int droppedExchanges) implements Prompt {
            public Ready {
                tokens = tokens.clone();
                if (droppedExchanges < 0) {
                    throw new IllegalArgumentException("droppedExchanges must be >= 0, got " + droppedExchanges);
                }
            }
        }

        /** The turn cannot run; {@code reason} is one line for the user. */
        record Refused(String reason) implements Prompt {
            public Refused {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** The prompt for {@code userText} after the history, dropping old exchanges if the context asks. */
    Prompt prompt(String userText) {
        ChatMessage user = ChatMessage.user(userText);
        int numExchanges = turns.size() / 2;
        for (int dropped = 0; ; dropped++) {
            int[] tokens;
            try {
                tokens = encode(messages(dropped, user));
            } catch (EngineException.InvalidRequest e) {
                return new Prompt.Refused("the chat template refused the conversation: " + e.getMessage());
            }
            if (tokens.length == 0) {
                return new Prompt.Refused("the chat template rendered an empty prompt");
            }
            boolean roomForReply = tokens.length + replyTokens <= contextLength;
            if (roomForReply || dropped == numExchanges) {
                return tokens.length < contextLength
                        ? new Prompt.Ready(tokens, dropped)
                        : new Prompt.Refused("message too long: the prompt is " + tokens.length
                                + " tokens and the context holds " + contextLength);
            }
        }
    }

    /** Records an answered turn: forgets the exchanges {@code ready} dropped, appends the new one. */
    void commit(Prompt.Ready ready, String userText, String replyText) {
        turns.subList(0, 2 * ready.droppedExchanges()).clear();
        turns.add(ChatMessage.user(userText));
        turns.add(ChatMessage.assistant(replyText));
    }

    /** Forgets every exchange; the system message stays. */
    void reset() {
        turns.clear();
    }

    /** Completed exchanges in the history. */
    int numExchanges() {
        return turns.size() / 2;
    }

    private List<ChatMessage> messages(int droppedExchanges, ChatMessage user) {
        List<ChatMessage> messages = new ArrayList<>(turns.size() + 2);
        if (system != null) {
            messages.add(system);
        }
        messages.addAll(turns.subList(2 * droppedExchanges, turns.size()));
        messages.add(user);
        return messages;
    }

    /**
     * Special tokens in the rendered text are parsed (the template wrote them); most templates write
     * BOS themselves, so the tokenizer's own BOS would double it: one is dropped, as the gateway does.
     */
    private int[] encode(List<ChatMessage> messages) {
        int[] ids = tokenizer.encode(template.render(messages, true), true, true);
        int bos = tokenizer.bosId();
        if (bos >= 0 && ids.length >= 2 && ids[0] == bos && ids[1] == bos) {
            return Arrays.copyOfRange(ids, 1, ids.length);
        }
        return ids;
    }
}
