package io.bottega.sim.report;

import io.bottega.sim.SimulationResult.TimelinePoint;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Plot data: a named line of (x, y) points. */
record Series(String name, double[] x, double[] y) {
    /** At most this many points per plotted line. */
    static final int MAX_POINTS = 2000;

    /**
     * A timeline step function (each point's value holds until the next point, the last until {@code end}) as the
     * time-weighted mean over at most {@code buckets} equal intervals of [{@code start}, {@code end}]; x is the
     * middle of each interval, in {@code unit} seconds from {@code start}. Fewer points than buckets are kept as
     * steps (two points per step).
     */
    static Series timeline(String name, List<TimelinePoint> points, ToDoubleFunction<TimelinePoint> value, long start, long end,
                           double unit, int buckets) {
        int n = points.size();
        if (n == 0 || end <= start) return new Series(name, new double[0], new double[0]);
        if (2 * n <= buckets) {
            double[] x = new double[2 * n], y = new double[2 * n];
            for (int i = 0; i < n; i++) {
                long t0 = Math.max(start, points.get(i).time());
                long t1 = i + 1 < n ? points.get(i + 1).time() : end;
                double v = value.applyAsDouble(points.get(i));
                x[2 * i] = (t0 - start) / unit;
                x[2 * i + 1] = (Math.max(t0, t1) - start) / unit;
                y[2 * i] = v;
                y[2 * i + 1] = v;
            }
            return new Series(name, x, y);
        }
        double width = (double) (end - start) / buckets;
        double[] sum = new double[buckets];
        double[] covered = new double[buckets];
        for (int i = 0; i < n; i++) {
            double t0 = Math.max(start, points.get(i).time());
            double t1 = Math.min(end, i + 1 < n ? points.get(i + 1).time() : end);
            if (t1 <= t0) continue;
            double v = value.applyAsDouble(points.get(i));
            int b0 = (int) Math.min(buckets - 1, (t0 - start) / width);
            int b1 = (int) Math.min(buckets - 1, (t1 - start) / width);
            for (int b = b0; b <= b1; b++) {
                double lo = Math.max(t0, start + b * width), hi = Math.min(t1, start + (b + 1) * width);
                if (hi > lo) {
                    sum[b] += v * (hi - lo);
                    covered[b] += hi - lo;
                }
            }
        }
        double[] x = new double[buckets], y = new double[buckets];
        int k = 0;
        for (int b = 0; b < buckets; b++) {
            if (covered[b] <= 0) continue;
            x[k] = (b + 0.5) * width / unit;
            y[k] = sum[b] / covered[b];
            k++;
        }
        return new Series(name, Arrays.copyOf(x, k), Arrays.copyOf(y, k));
    }

    /**
     * The empirical CDF of {@code sortedValues} (seconds, ascending) at most {@code maxPoints} points, with each x at
     * least {@code floor} (so a log axis can show zeros at its left edge).
     */
    static Series cdf(String name, long[] sortedValues, double floor, int maxPoints) {
        int n = sortedValues.length;
        if (n == 0) return new Series(name, new double[0], new double[0]);
        int k = Math.min(n, maxPoints);
        double[] x = new double[k + 1], y = new double[k + 1];
        x[0] = floor;
        y[0] = 0;
        for (int i = 0; i < k; i++) {
            int idx = k == n ? i : (int) Math.round((double) i * (n - 1) / (k - 1));
            // the fraction of values <= this one: past the last equal value
            int hi = idx;
            long v = sortedValues[idx];
            if (k != n) {
                int lo = idx, top = n - 1;
                while (lo < top) {
                    int mid = (lo + top + 1) >>> 1;
                    if (sortedValues[mid] <= v) lo = mid; else top = mid - 1;
                }
                hi = lo;
            }
            x[i + 1] = Math.max(floor, v);
            y[i + 1] = k == n ? (double) (i + 1) / n : (double) (hi + 1) / n;
        }
        return new Series(name, x, y);
    }
}
