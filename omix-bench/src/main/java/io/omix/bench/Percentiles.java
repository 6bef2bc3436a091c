package io.omix.bench;

import java.util.Arrays;

/** Latency percentiles as the benchmarks report them. */
final class Percentiles {
    private Percentiles() {}

    /** The nearest-rank {@code p}th percentile of {@code nanos}, in milliseconds (100: the maximum). */
    static double ms(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))] / 1e6;
    }
}
