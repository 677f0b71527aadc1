package dev.strata.bench.peer;

import java.util.List;
import java.util.Objects;

/**
 * A greedy run of the peer: the prompt, the generated tokens, for each generated token the top-N of
 * the distribution it was picked from ({@code topProbs.get(i)} predicts {@code generated[i]}; empty
 * when N was 0), and wall-clock timings. {@code prefillNanos} covers decoding the whole prompt and
 * picking the first token; {@code decodeNanos} covers the remaining {@code generated.length - 1}
 * single-token steps (decode plus argmax each).
 */
public record PeerGeneration(int[] prompt, int[] generated, List<TokenProb[]> topProbs,
                             long prefillNanos, long decodeNanos) {
    public PeerGeneration {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(generated, "generated");
        topProbs = List.copyOf(topProbs);
        if (prefillNanos < 0 || decodeNanos < 0) {
            throw new IllegalArgumentException("timings must be >= 0");
        }
    }

    /** Prompt tokens per second. */
    public double prefillTokensPerSecond() {
        return prompt.length * 1e9 / Math.max(1, prefillNanos);
    }

    /** Generated tokens per second, first token (which comes with the prefill) excluded. */
    public double decodeTokensPerSecond() {
        return generated.length <= 1 ? 0 : (generated.length - 1) * 1e9 / Math.max(1, decodeNanos);
    }
}
