package dev.strata.bench.speed;

import java.util.Arrays;

/** Median, minimum and maximum of repeated measurements. */
public record Stats(double median, double min, double max, int count) {
    public static Stats of(double[] values) {
        if (values.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[n - 1], n);
    }

    /** Half the min-max range as a percentage of the median. */
    public double spreadPercent() {
        return median == 0 ? 0 : (max - min) / 2 / median * 100;
    }
}
