package io.omix.bench;

import java.util.Arrays;

/**
 * A with/without comparison on one machine: short slices alternating between the two setups
 * (off-on, then on-off, to cancel drift), after warm-up slices of each; each pair's ratio printed,
 * then the ratio of the totals and the median of the pairs. One long round each said little: a
 * server's throughput moves by a quarter from one round to the next (JIT, GC, the store's
 * maintenance), more than the effects measured here.
 */
final class PairedSlices {
    private PairedSlices() {}

    /** One slice of one setup: units (calls, records) per second. */
    @FunctionalInterface
    interface Slice {
        double run(boolean on) throws Exception;
    }

    /** Runs {@code warmups} slices of each, then {@code pairs} pairs; returns the summary line (target: on/off at least {@code target}). */
    static String compare(String what, int warmups, int pairs, double target, Slice slice) throws Exception {
        for (int i = 0; i < warmups; i++) {
            slice.run(false);
            slice.run(true);
        }
        double[] ratios = new double[pairs];
        double sumOff = 0;
        double sumOn = 0;
        for (int i = 0; i < pairs; i++) {
            boolean offFirst = i % 2 == 0;
            double a = slice.run(!offFirst);
            double b = slice.run(offFirst);
            double off = offFirst ? a : b;
            double on = offFirst ? b : a;
            sumOff += off;
            sumOn += on;
            ratios[i] = on / off;
            System.out.printf("%s pair %d: off %,.0f, on %,.0f, on/off %.3f%n", what, i + 1, off, on, ratios[i]);
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        double median = pairs % 2 == 1 ? sorted[pairs / 2] : (sorted[pairs / 2 - 1] + sorted[pairs / 2]) / 2;
        return String.format("%s, %d pairs: off %,.0f, on %,.0f; on/off of the totals %.3f, median of the pairs %.3f (range %.3f - %.3f;"
                + " target >= %.2f)", what, pairs, sumOff / pairs, sumOn / pairs, sumOn / sumOff, median, sorted[0], sorted[pairs - 1], target);
    }
}
