package dev.strata.server.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram buckets for LLM latencies and sizes. They follow vLLM's (so panels built for vLLM read
 * the same), with finer low ends because a small model on a CPU produces tokens in a millisecond or
 * two, and long tails because a long generation takes minutes.
 */
final class LlmBuckets {
    private LlmBuckets() {}

    /** Time to first token, queue and prefill time: 1 ms to ~43 min. */
    static Duration[] firstToken() {
        return seconds(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40,
                80, 160, 640, 2560);
    }

    /** Time between tokens: 0.5 ms to 80 s. */
    static Duration[] interToken() {
        return seconds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
                1, 2.5, 5, 7.5, 10, 20, 40, 80);
    }

    /** Whole requests, decode phases and HTTP requests: 5 ms to ~2 h. */
    static Duration[] request() {
        return seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60,
                120, 240, 480, 960, 1920, 7680);
    }

    /** Tokens per engine step (vLLM's {@code iteration_tokens_total}). */
    static double[] stepTokens() {
        return new double[] {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
    }

    private static Duration[] seconds(double... values) {
        return Arrays.stream(values).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }
}
