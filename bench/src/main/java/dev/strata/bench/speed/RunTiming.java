package dev.strata.bench.speed;

/** One timed generation: prompt processing (to the first token) and the following single-token steps. */
public record RunTiming(int promptTokens, long prefillNanos, int decodeTokens, long decodeNanos) {
    public RunTiming {
        if (promptTokens < 1 || decodeTokens < 0 || prefillNanos <= 0 || decodeNanos < 0) {
            throw new IllegalArgumentException("invalid timing " + promptTokens + "/" + prefillNanos + "/"
                    + decodeTokens + "/" + decodeNanos);
        }
    }

    public double prefillTokensPerSecond() {
        return promptTokens * 1e9 / prefillNanos;
    }

    public double decodeTokensPerSecond() {
        return decodeTokens == 0 || decodeNanos == 0 ? 0 : decodeTokens * 1e9 / decodeNanos;
    }
}
