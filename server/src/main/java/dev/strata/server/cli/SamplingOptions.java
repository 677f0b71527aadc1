package dev.strata.server.cli;

import dev.strata.engine.sample.SamplingParams;
import picocli.CommandLine.Option;

/**
 * The sampling options that {@code run} and {@code chat} share ({@code --temp}, {@code --top-p},
 * {@code --top-k}), as a picocli mixin. The seed is not here: each command words its help differently.
 */
final class SamplingOptions {
    @Option(names = "--temp", paramLabel = "T", defaultValue = "0.8",
            description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Nucleus sampling (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "Top-k sampling, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    /** The sampling parameters with {@code seed} ({@code null} = random); a bad value is a {@link CliException}. */
    SamplingParams params(Long seed) {
        try {
            return SamplingParams.builder().temperature(temperature).topP(topP).topK(topK).seed(seed).build();
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
    }
}
