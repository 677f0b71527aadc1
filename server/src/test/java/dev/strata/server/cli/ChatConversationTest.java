package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatConversationTest {
    private static Tokenizer tokenizer;
    /** One line per message: "role: content". */
    private static final ChatTemplate LINES = ChatTemplate.compile(
            "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}", TemplateOptions.of("<s>", "</s>"));

    @BeforeAll
    static void loadTokenizer() {
        try (GgufFile gguf = GgufFile.open(RunCommandTest.demoModel())) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
    }

    private static String text(ChatConversation.Prompt prompt) {
        assertThat(prompt).isInstanceOf(ChatConversation.Prompt.Ready.class);
        return tokenizer.decode(((ChatConversation.Prompt.Ready) prompt).tokens());
    }

    @Test
    void everyTurnRendersTheWholeHistoryThroughTheTemplate() {
        var chat = new ChatConversation(LINES, tokenizer, 512, 64, "Be kind.");
        var first = (ChatConversation.Prompt.Ready) chat.prompt("Hi");
        assertThat(first.tokens()[0]).as("one BOS").isEqualTo(tokenizer.bosId());
        assertThat(text(first)).isEqualTo("system: Be kind.\nuser: Hi\n");
        chat.commit(first, "Hi", "Hello, friend.");
        assertThat(text(chat.prompt("Bye"))).isEqualTo(
                "system: Be kind.\nuser: Hi\nassistant: Hello, friend.\nuser: Bye\n");
        assertThat(chat.numExchanges()).isEqualTo(1);

        chat.reset();
        assertThat(chat.numExchanges()).isZero();
        assertThat(text(chat.prompt("Bye"))).isEqualTo("system: Be kind.\nuser: Bye\n");
    }

    @Test
    void theChatMlFallbackOpensTheAssistantsTurn() {
        var chat = new ChatConversation(ChatTemplate.chatMl(TemplateOptions.of("", "")), tokenizer, 512, 64, null);
        assertThat(text(chat.prompt("Hi"))).isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void oldestExchangesAreDroppedToLeaveRoomForTheReplyButTheSystemMessageStays() {
        var chat = new ChatConversation(LINES, tokenizer, 128, 16, "S");
        String longish = "the cat sat on the mat";   // an exchange of this is about 25 tokens
        int numAnswered = 0;
        ChatConversation.Prompt.Ready ready = null;
        while (numAnswered < 10) {
            ready = (ChatConversation.Prompt.Ready) chat.prompt(longish);
            assertThat(ready.tokens().length + 16).isLessThanOrEqualTo(128);
            chat.commit(ready, longish, longish);
            numAnswered++;
        }
        assertThat(chat.numExchanges()).isBetween(2, 9);
        var next = (ChatConversation.Prompt.Ready) chat.prompt("last");
        assertThat(text(next)).startsWith("system: S\nuser: the cat").endsWith("user: last\n");
        int before = chat.numExchanges();
        chat.commit(next, "last", "ok");
        assertThat(chat.numExchanges()).isEqualTo(before - next.droppedExchanges() + 1);
    }

    @Test
    void aMessageThatDoesNotFitAloneIsRefusedAndTheHistoryKept() {
        var chat = new ChatConversation(LINES, tokenizer, 64, 16, null);
        var first = (ChatConversation.Prompt.Ready) chat.prompt("Hi");
        chat.commit(first, "Hi", "Hello");
        var refused = chat.prompt("and then the dog ran ".repeat(20));
        assertThat(refused).isInstanceOfSatisfying(ChatConversation.Prompt.Refused.class, r -> assertThat(r.reason())
                .matches("message too long: the prompt is \\d+ tokens and the context holds 64"));
        assertThat(chat.numExchanges()).isEqualTo(1);

        // Fits alone but leaves less than the reply's room: it runs, with whatever room is left.
        var tight = chat.prompt("and then the dog ran ".repeat(6));
        assertThat(tight).isInstanceOfSatisfying(ChatConversation.Prompt.Ready.class,
                r -> {
                    assertThat(r.droppedExchanges()).isEqualTo(1);
                    assertThat(r.tokens().length).isBetween(64 - 16 + 1, 63);
                });
    }

    @Test
    void aTemplateThatRaisesRefusesTheTurnWithItsMessage() {
        ChatTemplate strict = ChatTemplate.compile("{% if messages | length > 1 %}"
                + "{{ raise_exception('only one message, please') }}{% endif %}{{ messages[0].content }}",
                TemplateOptions.of("", ""));
        var chat = new ChatConversation(strict, tokenizer, 512, 64, null);
        var first = (ChatConversation.Prompt.Ready) chat.prompt("Hi");
        chat.commit(first, "Hi", "Hello");
        assertThat(chat.prompt("Again")).isEqualTo(new ChatConversation.Prompt.Refused(
                "the chat template refused the conversation: only one message, please"));
        assertThat(chat.numExchanges()).isEqualTo(1);
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new ChatConversation(LINES, tokenizer, 64, 64, null))
                .hasMessage("replyTokens must be in [0, 64), got 64");
        assertThatThrownBy(() -> new ChatConversation(LINES, tokenizer, 0, 0, null))
                .hasMessage("contextLength must be >= 1, got 0");
        assertThatThrownBy(() -> new ChatConversation.Prompt.Ready(new int[] {1}, -1))
                .hasMessage("droppedExchanges must be >= 0, got -1");
    }
}
