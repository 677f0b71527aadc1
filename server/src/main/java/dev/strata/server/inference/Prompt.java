package dev.strata.server.inference;

import dev.strata.server.chat.ChatMessage;
import java.util.List;

/** What to continue: raw texts (one generation each), pre-tokenized prompts, or a conversation. */
public sealed interface Prompt {

    /** How many independent prompts this is (choices are {@code n} per prompt). */
    int count();

    record Texts(List<String> texts) implements Prompt {
        public Texts {
            texts = List.copyOf(texts);
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("texts must not be empty");
            }
        }

        @Override
        public int count() {
            return texts.size();
        }
    }

    record Tokens(List<int[]> prompts) implements Prompt {
        public Tokens {
            prompts = prompts.stream().map(int[]::clone).toList();
            if (prompts.isEmpty()) {
                throw new IllegalArgumentException("prompts must not be empty");
            }
        }

        @Override
        public int count() {
            return prompts.size();
        }
    }

    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }

        @Override
        public int count() {
            return 1;
        }
    }
}
