package dev.patchbay.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of one row of samples, taken in container order (sample i belongs to container i+1): median,
 * 90th percentile, maximum, the medians of the first and last ten containers, and the least-squares
 * slope of time against container number (how the cost grows with N).
 */
record Stats(int n, double median, double p90, double max, double first10, double last10, double slope) {

    static Stats of(List<Double> samplesMs) {
        double[] v = samplesMs.stream().mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        int k = Math.min(10, v.length);
        return new Stats(v.length, median(v), percentile(v, 0.9), Arrays.stream(v).max().orElse(Double.NaN),
                median(Arrays.copyOfRange(v, 0, k)), median(Arrays.copyOfRange(v, v.length - k, v.length)), slope(v));
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Nearest-rank percentile (as the peers' scripts compute p90). */
    static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    /** Least-squares slope of value against position 1..n, in ms per container. */
    static double slope(double[] v) {
        int n = v.length;
        if (n < 2) {
            return Double.NaN;
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            double x = i + 1;
            sx += x;
            sy += v[i];
            sxx += x * x;
            sxy += x * v[i];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
