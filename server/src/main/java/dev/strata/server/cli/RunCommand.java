package dev.strata.server.cli;

import dev.strata.engine.generate.EngineOptions;
import dev.strata.engine.generate.GenerationEvent;
import dev.strata.engine.generate.GenerationRequest;
import dev.strata.engine.generate.LocalEngine;
import dev.strata.engine.generate.TokenStream;
import dev.strata.engine.sample.SamplingParams;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata run -p PROMPT}: generates a continuation of the prompt with a local model and streams
 * the text to stdout as it is produced (the prompt first, as run.c and llama.cpp's CLI print it);
 * token counts and speed go to stderr.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text from a prompt with a local GGUF model, streaming it to stdout.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: random).")
    Long seed;

    @Mixin
    ThreadsOption threads;

    @Mixin
    KvCacheOptions kvCache;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        SamplingParams samplingParams = sampling.params(seed);
        if (maxTokens < 0) {
            throw new CliException("--max-tokens must be >= 0, got " + maxTokens, ExitCodes.BAD_INPUT);
        }
        int numThreads = threads.numThreads();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path modelPath = model.pathForLocalRun();
        EngineOptions options = kvCache.apply(new EngineOptions(numThreads, 1, 512, 0), modelPath);
        try (LocalEngine engine = LocalEngine.open(modelPath, options)) {
            int[] promptTokens = engine.tokenizer().encode(prompt, true, false);
            if (promptTokens.length == 0) {
                throw new CliException("the prompt encodes to no tokens and the model has no BOS token", ExitCodes.BAD_INPUT);
            }
            TokenStream stream = engine.submit(GenerationRequest.of("run", promptTokens, samplingParams, maxTokens));
            out.print(prompt);
            out.flush();
            GenerationEvent event;
            while ((event = stream.next()) instanceof GenerationEvent.Token token) {
                out.print(token.text());
                out.flush();
            }
            out.println();
            out.flush();
            return report(event, err);
        }
    }

    private int report(GenerationEvent terminal, PrintWriter err) {
        return switch (terminal) {
            case GenerationEvent.Failed f -> throw f.error();
            case GenerationEvent.Finished f -> {
                GenerationEvent.Timings t = f.timings();
                int generated = f.usage().completionTokens();
                double decodeSeconds = (t.totalNanos() - t.timeToFirstTokenNanos()) / 1e9;
                double tokensPerSecond = generated > 1 && decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0;
                err.printf(Locale.ROOT, "prompt: %d tokens (first token after %.1f ms); generated: %d tokens in %.3f s, "
                                + "%.1f tokens/s; finish: %s%n", f.usage().promptTokens(), t.timeToFirstTokenNanos() / 1e6,
                        generated, t.totalNanos() / 1e9, tokensPerSecond, f.reason().name().toLowerCase(Locale.ROOT));
                err.flush();
                yield ExitCodes.OK;
            }
            case GenerationEvent.Token ignored -> throw new IllegalStateException("not a terminal event");
        };
    }
}
