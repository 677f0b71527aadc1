package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.Engine;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import dev.strata.engine.tokenizer.Tokenizer;
import dev.strata.engine.tokenizer.Tokenizers;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session loop against a scripted engine: what reaches the screen and the history. */
class ChatSessionTest {
    private static final String NL = System.lineSeparator();
    private static Tokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() {
        try (GgufFile gguf = GgufFile.open(RunCommandTest.demoModel())) {
            tokenizer = Tokenizers.fromGguf(gguf);
        }
    }

    /** Answers each submit with the next scripted events, or throws the next scripted exception. */
    static final class ScriptedEngine implements Engine {
        final Deque<Object> script = new ArrayDeque<>();
        final List<GenerationRequest> submitted = new ArrayList<>();

        @Override
        public ModelInfo modelInfo() {
            return new ModelInfo("scripted", "llama", 512, tokenizer.vocabSize(), "F32", 0);
        }

        @Override
        public Tokenizer tokenizer() {
            return tokenizer;
        }

        @Override
        public TokenStream submit(GenerationRequest request) {
            submitted.add(request);
            Object next = script.removeFirst();
            if (next instanceof EngineException e) {
                throw e;
            }
            @SuppressWarnings("unchecked")
            Iterator<GenerationEvent> events = ((List<GenerationEvent>) next).iterator();
            return new TokenStream() {
                @Override
                public String requestId() {
                    return request.id();
                }

                @Override
                public GenerationEvent next() {
                    return events.next();
                }

                @Override
                public GenerationEvent poll(long timeout, TimeUnit unit) {
                    return events.next();
                }

                @Override
                public void cancel() {}
            };
        }

        @Override
        public void close() {}
    }

    static List<GenerationEvent> reply(String... pieces) {
        List<GenerationEvent> events = new ArrayList<>();
        for (String piece : pieces) {
            events.add(new GenerationEvent.Token(1, piece, Float.NaN, List.of()));
        }
        events.add(new GenerationEvent.Finished(GenerationEvent.FinishReason.STOP,
                new GenerationEvent.Usage(10, pieces.length, 0), new GenerationEvent.Timings(0, 0, 0)));
        return events;
    }

    record Run(int exitCode, String out, String err, ChatConversation conversation) {}

    static Run run(ScriptedEngine engine, String typed) throws InterruptedException {
        ChatConversation conversation = new ChatConversation(ChatTemplate.chatMl(TemplateOptions.of("", "")),
                tokenizer, 512, 64, null);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var settings = new ChatSession.Settings(SamplingParams.GREEDY, 64, ChatCommand.CHATML_STOP, false);
        var terminal = new ChatSession.Terminal(new UserInput(new BufferedReader(new StringReader(typed)), false),
                new PrintWriter(out), new PrintWriter(err));
        int code = new ChatSession(engine, conversation, settings, terminal).run();
        return new Run(code, out.toString(), err.toString(), conversation);
    }

    @Test
    void repliesAreShownWithoutTheirLeadingAndTrailingWhitespace() throws InterruptedException {
        ScriptedEngine engine = new ScriptedEngine();
        engine.script.add(reply(" ", "\n", " Once", " upon\n", "\n", "a time.", "\n\n", ""));
        engine.script.add(reply("The", " end."));
        Run r = run(engine, "Hi\nMore\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("Once upon\n\na time." + NL + "The end." + NL);
        assertThat(r.err()).isEmpty();
        assertThat(r.conversation().numExchanges()).isEqualTo(2);
        assertThat(engine.submitted).extracting(GenerationRequest::id).containsExactly("chat-1", "chat-2");
        assertThat(engine.submitted.getFirst().stop()).containsExactly("<|im_end|>", "<|im_start|>");
        assertThat(tokenizer.decode(engine.submitted.get(1).promptTokens())).contains(
                "<|im_start|>assistant\nOnce upon\n\na time.<|im_end|>\n<|im_start|>user\nMore<|im_end|>");
    }

    @Test
    void aFailedOrRefusedGenerationIsAOneLineErrorAndLeavesTheHistoryAlone() throws InterruptedException {
        ScriptedEngine engine = new ScriptedEngine();
        engine.script.add(List.of(new GenerationEvent.Token(1, "Half", Float.NaN, List.of()),
                new GenerationEvent.Failed(new EngineException.Internal("forward pass failed", null))));
        engine.script.add(new EngineException.InvalidRequest("token id 9 is outside the vocabulary"));
        engine.script.add(reply("Fine."));
        Run r = run(engine, "One\nTwo\nThree\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("Half" + NL + "Fine." + NL);
        assertThat(r.err()).isEqualTo("error: forward pass failed" + NL
                + "error: token id 9 is outside the vocabulary" + NL);
        assertThat(r.conversation().numExchanges()).isEqualTo(1);
        assertThat(tokenizer.decode(engine.submitted.get(2).promptTokens())).doesNotContain("One").doesNotContain("Two");
    }
}
