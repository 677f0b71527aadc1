package dev.strata.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Drives {@code strata chat} on the demo model with piped input, as a script or a test harness would. */
class ChatCommandTest {
    private static final String NL = System.lineSeparator();
    private static final String WARNING = "warning: " + RunCommandTest.demoModel() + " has no chat template; using ChatML";
    private static final Pattern STATS = Pattern.compile(
            "\\[prompt: (\\d+) tokens; reply: (\\d+) tokens, [\\d.]+ tokens/s; finish: (\\w+); history: (\\d+) exchanges]");

    /** Records what the writer held at every flush, to see text arrive while it is generated. */
    static final class FlushRecorder extends StringWriter {
        final List<String> flushed = new ArrayList<>();

        @Override
        public void flush() {
            flushed.add(toString());
        }
    }

    record Result(int exitCode, String out, String err, List<String> flushed) {
        /** The stats line of every reply: prompt tokens, reply tokens, finish reason, exchanges in history. */
        List<String[]> turns() {
            List<String[]> turns = new ArrayList<>();
            Matcher m = STATS.matcher(err);
            while (m.find()) {
                turns.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
            }
            return turns;
        }
    }

    static Result chat(String typed, boolean terminal, String... args) {
        FlushRecorder out = new FlushRecorder();
        StringWriter err = new StringWriter();
        String[] argv = new String[args.length + 1];
        argv[0] = "chat";
        System.arraycopy(args, 0, argv, 1, args.length);
        int code = StrataCommand.run(argv, new UserInput(new BufferedReader(new StringReader(typed)), terminal),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString(), out.flushed);
    }

    /** Greedy, one thread, short replies, stats on stderr. */
    static Result chat(String typed, String... more) {
        List<String> args = new ArrayList<>(List.of("-m", RunCommandTest.demoModel().toString(), "--temp", "0",
                "--threads", "1", "--stats"));
        args.addAll(List.of(more));
        if (!args.contains("-n")) {
            args.addAll(List.of("-n", "40"));
        }
        return chat(typed, false, args.toArray(String[]::new));
    }

    @Test
    void twoTurnConversationStreamsEachReplyAndTheHistoryGrows() {
        Result r = chat("Hello!\nTell me about the dog.\n");
        assertThat(r.exitCode()).isZero();
        List<String[]> turns = r.turns();
        assertThat(turns).hasSize(2);
        assertThat(turns.get(0)[3]).isEqualTo("1");
        assertThat(turns.get(1)[3]).isEqualTo("2");
        int firstPrompt = Integer.parseInt(turns.get(0)[0]);
        int firstReply = Integer.parseInt(turns.get(0)[1]);
        // The second prompt re-renders the first exchange (question and reply) before the new question.
        assertThat(Integer.parseInt(turns.get(1)[0])).isGreaterThan(firstPrompt + firstReply / 2);

        // Streamed: stdout was flushed many times with growing text before the first reply ended.
        String firstReplyText = chat("Hello!\n").out();
        assertThat(r.out()).startsWith(firstReplyText);
        long partial = r.flushed().stream().filter(s -> !s.isEmpty() && s.length() < firstReplyText.length() - 1).count();
        assertThat(partial).isGreaterThan(5);
        // No decoration without a terminal: only the replies, each ending its line.
        assertThat(r.out()).doesNotContain("> ").doesNotContain("strata chat").endsWith(NL);
        assertThat(r.err()).startsWith(WARNING + NL);
    }

    @Test
    void resetClearsTheHistory() {
        Result r = chat("Hello!\nAnd then?\n/reset\nHello!\n");
        assertThat(r.exitCode()).isZero();
        List<String[]> turns = r.turns();
        assertThat(turns).hasSize(3);
        assertThat(turns.get(2)[0]).as("prompt tokens after /reset").isEqualTo(turns.get(0)[0]);
        assertThat(turns.get(2)[3]).isEqualTo("1");
        assertThat(r.err()).contains("(history cleared)");
        String first = chat("Hello!\n").out();
        assertThat(r.out()).startsWith(first).endsWith(first);
    }

    @Test
    void exitEndsTheSessionWithCodeZero() {
        Result r = chat("Hello!\n/exit\nNever answered\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.turns()).hasSize(1);

        Result quit = chat("/quit\n");
        assertThat(quit.exitCode()).isZero();
        assertThat(quit.out()).isEmpty();

        Result eof = chat("");
        assertThat(eof.exitCode()).isZero();
        assertThat(eof.out()).isEmpty();
        assertThat(eof.err()).isEqualTo(WARNING + NL);
    }

    @Test
    void helpListsTheCommandsAndUnknownCommandsAreOneLineErrors() {
        Result r = chat("/help\n/frobnicate now\n\n   \n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(ChatSession.HELP + NL);
        assertThat(r.err()).isEqualTo(WARNING + NL + "error: unknown command /frobnicate (/help lists them)" + NL);
    }

    @Test
    void aMessageLongerThanTheContextIsRefusedAndTheChatGoesOn() {
        String huge = "once upon a time ".repeat(300);
        Result r = chat("Hello!\n" + huge + "\nHello!\n");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().asString()
                .matches("error: message too long: the prompt is \\d+ tokens and the context holds 512");
        List<String[]> turns = r.turns();
        assertThat(turns).hasSize(2);
        assertThat(turns.get(1)[3]).as("the refused message is not in the history").isEqualTo("2");
    }

    @Test
    void oldestExchangesAreDroppedWhenTheHistoryOutgrowsTheContext() {
        String message = "Lily and Tom went to the park to play with the big red ball. ".repeat(8).strip();
        Result r = chat((message + "\n").repeat(3), "-n", "100");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("(dropped the oldest exchange to fit the context)");
        List<String[]> turns = r.turns();
        assertThat(turns).hasSize(3);
        for (String[] turn : turns) {
            assertThat(Integer.parseInt(turn[0])).isLessThanOrEqualTo(512 - 100);
        }
        assertThat(turns.get(2)[3]).isNotEqualTo("3");
    }

    @Test
    void backslashContinuesTheMessageOnTheNextLine() {
        Result joined = chat("Hello\\\nthere\n");
        Result single = chat("Hello\nthere\n");
        assertThat(joined.turns()).hasSize(1);
        assertThat(single.turns()).hasSize(2);
    }

    @Test
    void atATerminalTheSessionShowsABannerAndPrompts() {
        Result r = chat("Hello!\n", true, "-m", RunCommandTest.demoModel().toString(), "--temp", "0", "-n", "10",
                "--threads", "1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("strata chat: ").contains("ChatML template (fallback)").contains("> ");
        assertThat(r.out().lines().toList().getLast()).as("ends on a fresh line after Ctrl-D").isEqualTo("> ");
    }

    @Test
    void errorsAreOneLineWithExitCodeTwo() {
        Result missing = chat("Hello\n", false, "-m", "no/such.gguf");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: no such file: no/such.gguf" + NL);
        assertThat(missing.out()).isEmpty();

        Result temp = chat("Hello\n", false, "-m", RunCommandTest.demoModel().toString(), "--temp", "-1");
        assertThat(temp.exitCode()).isEqualTo(2);
        assertThat(temp.err().lines()).hasSize(1).first().asString().startsWith("error: temperature must be in");

        Result tokens = chat("Hello\n", false, "-n", "0");
        assertThat(tokens.exitCode()).isEqualTo(2);
        assertThat(tokens.err()).isEqualTo("error: --max-tokens must be >= 1, got 0" + NL);
    }
}
