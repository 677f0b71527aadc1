package dev.strata.server.cli;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.ModelInfo;
import dev.strata.engine.gguf.GgufFile;
import dev.strata.engine.sample.SamplingParams;
import dev.strata.engine.template.ChatTemplate;
import dev.strata.engine.template.TemplateOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata chat}: a conversation with a local model in the terminal. Each turn renders the
 * whole history through the model's chat template ({@link ChatConversation}) and streams the reply
 * ({@link ChatSession}). A model without a template gets ChatML, with a one-line warning.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with a local GGUF model in the terminal, using its chat template. "
                + "Commands: /reset, /help, /exit (or Ctrl-D).")
final class ChatCommand implements Callable<Integer> {
    /** Markers that end a turn in ChatML; a model without ChatML special tokens writes them as text. */
    static final List<String> CHATML_STOP = List.of("<|im_end|>", "<|im_start|>");

    @Mixin
    ModelOption model;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message opening the conversation.")
    String system;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256",
            description = "Most tokens per reply (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed, the same for every reply (default: random).")
    Long seed;

    @Mixin
    ThreadsOption threads;

    @Mixin
    KvCacheOptions kvCache;

    @Option(names = "--stats", description = "After each reply, print token counts and speed to stderr.")
    boolean stats;

    @Spec
    CommandSpec spec;

    private final UserInput input;

    ChatCommand(UserInput input) {
        this.input = Objects.requireNonNull(input, "input");
    }

    @Override
    public Integer call() throws InterruptedException {
        SamplingParams samplingParams = sampling.params(seed);
        if (maxTokens < 1) {
            throw new CliException("--max-tokens must be >= 1, got " + maxTokens, ExitCodes.BAD_INPUT);
        }
        int numThreads = threads.numThreads();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path path = model.pathForLocalRun();
        ChatTemplate template = template(path, err);
        EngineOptions options = kvCache.apply(new EngineOptions(numThreads, 1, 512, 0), path);
        try (LocalEngine engine = LocalEngine.open(path, options)) {
            ModelInfo info = engine.modelInfo();
            int context = info.contextLength();
            ChatConversation conversation = new ChatConversation(template, engine.tokenizer(), context,
                    Math.min(maxTokens, context / 2), system);
            if (input.terminal()) {
                out.printf("strata chat: %s (%s, %d-token context), %s%n%s%n", info.name(), info.architecture(),
                        context, template.isFallback() ? "ChatML template (fallback)" : "the model's chat template",
                        "Type a message; /help lists commands, /exit or Ctrl-D leaves.");
                out.flush();
            }
            var settings = new ChatSession.Settings(samplingParams, maxTokens,
                    template.isFallback() ? CHATML_STOP : List.of(), stats);
            return new ChatSession(engine, conversation, settings, new ChatSession.Terminal(input, out, err)).run();
        }
    }

    /** The model's template, or ChatML with one warning line when it has none. */
    private static ChatTemplate template(Path path, PrintWriter err) {
        try (GgufFile gguf = GgufFile.open(path)) {
            Clock clock = Clock.systemDefaultZone();
            return ChatTemplate.ownFromGguf(gguf, clock).orElseGet(() -> {
                err.println("warning: " + path + " has no chat template; using ChatML");
                err.flush();
                return ChatTemplate.chatMl(TemplateOptions.fromGguf(gguf, clock));
            });
        }
    }
}
