package dev.strata.bench.serve;

import java.util.Arrays;
import java.util.List;

/**
 * One engine at one concurrency level.
 *
 * @param tokensPerSecond generated tokens of all streams over the level's wall time
 * @param ttftMillis      every request's time to first token, sorted
 * @param itlMillis       every gap between consecutive tokens of a stream, sorted
 */
public record LoadResult(int concurrency, int numRequests, long generatedTokens, double tokensPerSecond,
        double[] ttftMillis, double[] itlMillis) {

    static LoadResult of(int concurrency, List<RequestTiming> timings, long wallNanos) {
        long tokens = 0;
        int gaps = 0;
        for (RequestTiming t : timings) {
            tokens += t.tokenNanos().length;
            gaps += Math.max(0, t.tokenNanos().length - 1);
        }
        double[] ttft = new double[timings.size()];
        double[] itl = new double[gaps];
        int g = 0;
        for (int i = 0; i < timings.size(); i++) {
            RequestTiming t = timings.get(i);
            long[] at = t.tokenNanos();
            ttft[i] = at.length == 0 ? Double.NaN : (at[0] - t.submitNanos()) / 1e6;
            for (int k = 1; k < at.length; k++) {
                itl[g++] = (at[k] - at[k - 1]) / 1e6;
            }
        }
        Arrays.sort(ttft);
        Arrays.sort(itl);
        return new LoadResult(concurrency, timings.size(), tokens, tokens / (wallNanos / 1e9), ttft, itl);
    }

    /** The {@code p}-quantile (0..1) of sorted {@code values}, nearest rank; NaN when empty. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * values.length) - 1;
        return values[Math.clamp(rank, 0, values.length - 1)];
    }

    public double ttftP50() {
        return percentile(ttftMillis, 0.50);
    }

    public double ttftP99() {
        return percentile(ttftMillis, 0.99);
    }

    public double itlP50() {
        return percentile(itlMillis, 0.50);
    }

    public double itlP99() {
        return percentile(itlMillis, 0.99);
    }

    /** When a request was submitted and when each of its tokens arrived (System.nanoTime). */
    record RequestTiming(long submitNanos, long[] tokenNanos) {}
}
