package dev.strata.bench.serve;

import java.util.List;

/**
 * What a load test counted against what the server's {@code /metrics} says for the same run (the
 * difference of scrapes taken before and after it).
 */
public record MetricsAgreement(List<Row> rows) {
    /** The bar: a load test and {@code /metrics} agree within 2 %. */
    public static final double MAX_DIFF_PERCENT = 2.0;

    /** One quantity: the load test's count, the metric's increase, the metric's name. */
    public record Row(String quantity, double loadTest, double metrics, String metric) {
        /** |metrics − load test| as a percentage of the load test's count (0 when both are 0). */
        public double diffPercent() {
            if (loadTest == 0) {
                return metrics == 0 ? 0 : 100;
            }
            return Math.abs(metrics - loadTest) / loadTest * 100;
        }
    }

    public boolean agrees() {
        return rows.stream().allMatch(r -> r.diffPercent() <= MAX_DIFF_PERCENT);
    }
}
