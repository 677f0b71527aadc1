package dev.strata.server.cli;

import dev.strata.engine.EngineException;
import dev.strata.engine.generate.Engine;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The read-reply loop of {@code strata chat}: reads the user's lines, runs {@code /commands}, and
 * answers every other line with the model, streaming the reply to stdout token by token.
 *
 * <p>Stdout carries only the replies (one per turn, then a newline), plus the {@code "> "} prompt
 * when a person is at a terminal; notes and per-turn errors go to stderr as one line each. A turn
 * that cannot run (too long, refused by the template, failed in the engine) does not end the
 * session. End of input, {@code /exit} and {@code /quit} end it normally.
 */
final class ChatSession {
    static final String HELP = """
            /reset   forget the conversation (the system prompt stays)
            /exit    leave (also /quit, or Ctrl-D / end of input)
            /help    this list
            End a line with \\ to continue the message on the next line.""";

    private final Engine engine;
    private final ChatConversation conversation;
    private final Settings settings;
    private final Terminal terminal;
    private int numTurns;

    /**
     * How replies are generated and shown.
     *
     * @param maxTokens  most tokens per reply
     * @param stop       strings that end a reply (the ChatML fallback's markers, which the model may
     *                   write as plain text)
     * @param printStats print token counts and speed to stderr after every reply
     */
    record Settings(SamplingParams sampling, int maxTokens, List<String> stop, boolean printStats) {
        Settings {
            Objects.requireNonNull(sampling, "sampling");
            stop = List.copyOf(stop);
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
            }
        }
    }

    /** Where the session talks to the user. */
    record Terminal(UserInput input, PrintWriter out, PrintWriter err) {
        Terminal {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(err, "err");
        }
    }

    ChatSession(Engine engine, ChatConversation conversation, Settings settings, Terminal terminal) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.conversation = Objects.requireNonNull(conversation, "conversation");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.terminal = Objects.requireNonNull(terminal, "terminal");
    }

    /** Runs until end of input or {@code /exit}; returns the exit code. */
    int run() throws InterruptedException {
        PrintWriter out = terminal.out();
        PrintWriter err = terminal.err();
        while (true) {
            String message = readMessage();
            if (message == null) {
                if (terminal.input().terminal()) {
                    out.println();
                    out.flush();
                }
                return ExitCodes.OK;
            }
            if (message.isEmpty()) {
                continue;
            }
            if (message.startsWith("/")) {
                switch (message) {
                    case "/exit", "/quit" -> {
                        return ExitCodes.OK;
                    }
                    case "/reset" -> {
                        conversation.reset();
                        note("history cleared");
                    }
                    case "/help" -> {
                        out.println(HELP);
                        out.flush();
                    }
                    default -> {
                        err.println("error: unknown command " + message.split("\\s+", 2)[0] + " (/help lists them)");
                        err.flush();
                    }
                }
                continue;
            }
            turn(message);
        }
    }

    /** Answers one user message, or says in one line why it cannot. */
    private void turn(String message) throws InterruptedException {
        PrintWriter err = terminal.err();
        switch (conversation.prompt(message)) {
            case ChatConversation.Prompt.Refused refused -> {
                err.println("error: " + refused.reason());
                err.flush();
            }
            case ChatConversation.Prompt.Ready ready -> reply(ready, message);
        }
    }

    /** Streams the model's reply to {@code ready}; a finished one joins the history. */
    private void reply(ChatConversation.Prompt.Ready ready, String message) throws InterruptedException {
        PrintWriter err = terminal.err();
        if (ready.droppedExchanges() > 0) {
            note("dropped the " + (ready.droppedExchanges() == 1 ? "oldest exchange"
                    : ready.droppedExchanges() + " oldest exchanges") + " to fit the context");
        }
        TokenStream stream;
        try {
            stream = engine.submit(new GenerationRequest("chat-" + ++numTurns, ready.tokens(),
                    settings.sampling(), settings.maxTokens(), settings.stop(), false, 0, -1));
        } catch (EngineException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return;
        }
        ReplyPrinter reply = new ReplyPrinter(terminal.out());
        GenerationEvent event;
        while ((event = stream.next()) instanceof GenerationEvent.Token token) {
            reply.print(token.text());
        }
        reply.end();
        switch (event) {
            case GenerationEvent.Finished finished -> {
                conversation.commit(ready, message, reply.text());
                if (finished.reason() == GenerationEvent.FinishReason.LENGTH && terminal.input().terminal()) {
                    note(finished.usage().completionTokens() >= settings.maxTokens()
                            ? "reply cut at the -n limit of " + settings.maxTokens() + " tokens"
                            : "reply cut: the context is full");
                }
                if (settings.printStats()) {
                    stats(finished);
                }
            }
            case GenerationEvent.Failed failed -> {
                err.println("error: " + failed.error().getMessage());
                err.flush();
            }
            case GenerationEvent.Token ignored -> throw new IllegalStateException("not a terminal event");
        }
    }

    /**
     * The next message: one line, stripped, or several when lines end with a backslash; null at end
     * of input. Shows the prompt at a terminal.
     */
    private String readMessage() {
        StringBuilder message = new StringBuilder();
        String prompt = "> ";
        try {
            while (true) {
                if (terminal.input().terminal()) {
                    terminal.out().print(prompt);
                    terminal.out().flush();
                }
                String line = terminal.input().lines().readLine();
                if (line == null) {
                    return message.isEmpty() ? null : message.toString().strip();
                }
                if (!line.endsWith("\\")) {
                    return message.append(line).toString().strip();
                }
                message.append(line, 0, line.length() - 1).append('\n');
                prompt = ". ";
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void note(String text) {
        terminal.err().println("(" + text + ")");
        terminal.err().flush();
    }

    private void stats(GenerationEvent.Finished f) {
        GenerationEvent.Timings t = f.timings();
        int generated = f.usage().completionTokens();
        double decodeSeconds = (t.totalNanos() - t.timeToFirstTokenNanos()) / 1e9;
        double tokensPerSecond = generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0;
        terminal.err().printf(Locale.ROOT, "[prompt: %d tokens; reply: %d tokens, %.1f tokens/s; finish: %s; history: %d"
                        + " exchanges]%n", f.usage().promptTokens(), generated, tokensPerSecond,
                f.reason().name().toLowerCase(Locale.ROOT), conversation.numExchanges());
        terminal.err().flush();
    }

    /**
     * Streams a reply to the screen as it arrives, without its leading and trailing whitespace
     * (a reply usually starts with the space or newline the template left open, and may end with
     * newlines before the end-of-turn token): whitespace is held back until text follows it.
     */
    private static final class ReplyPrinter {
        private final PrintWriter out;
        private final StringBuilder printed = new StringBuilder();
        private final StringBuilder heldWhitespace = new StringBuilder();

        ReplyPrinter(PrintWriter out) {
            this.out = out;
        }

        void print(String text) {
            int end = text.length();
            while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            if (end == 0) {
                if (!printed.isEmpty()) {
                    heldWhitespace.append(text);
                }
                return;
            }
            String visible = heldWhitespace + text.substring(0, end);
            if (printed.isEmpty()) {
                visible = visible.stripLeading();
            }
            heldWhitespace.setLength(0);
            heldWhitespace.append(text, end, text.length());
            printed.append(visible);
            out.print(visible);
            out.flush();
        }

        /** Ends the reply's line. */
        void end() {
            out.println();
            out.flush();
        }

        /** The reply as shown. */
        String text() {
            return printed.toString();
        }
    }
}
