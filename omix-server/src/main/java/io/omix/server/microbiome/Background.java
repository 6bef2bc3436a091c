package io.omix.server.microbiome;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A taxon's distribution over the reference cohort (the samples the last publication counted), from what
 * publication keeps: the cohort size N, how many samples carry the taxon (n), the sum of its
 * abundances, and 101 percentiles of its non-zero abundances. Samples without the taxon count as
 * zero, so quantiles over all N are read off without touching any sample's rows.
 */
record Background(int cohort, int present, double sum, double[] percentiles) {
    static final int[] QUANTILES = {0, 5, 25, 50, 75, 95, 100};

    /** 101 percentiles (linear interpolation) of sorted non-zero values. */
    static double[] percentilesOf(double[] sorted) {
        double[] p = new double[101];
        if (sorted.length == 0) return p;
        for (int i = 0; i <= 100; i++) p[i] = interpolate(sorted, i / 100.0 * (sorted.length - 1));
        return p;
    }

    private static double interpolate(double[] sorted, double position) {
        int lo = (int) Math.floor(position);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
    }

    /** The q-quantile (0..1) over the whole cohort, absent samples being zero. */
    double quantile(double q) {
        if (cohort == 0 || present == 0) return 0;
        int zeros = cohort - present;
        double position = q * (cohort - 1);
        if (position <= zeros - 1) return 0;
        if (position < zeros) return (position - (zeros - 1)) * percentiles[0];
        double within = present == 1 ? 0 : (position - zeros) / (present - 1);
        double at = within * 100;
        int lo = (int) Math.floor(at);
        int hi = Math.min(100, lo + 1);
        return percentiles[lo] + (percentiles[hi] - percentiles[lo]) * (at - lo);
    }

    /**
     * The share of the cohort whose abundance is at most {@code value}: exact for values that are
     * one of the cohort's (the percentiles interpolate the sorted values), interpolated between them.
     */
    double rankRatio(double value) {
        if (cohort == 0) return 0;
        int zeros = cohort - present;
        if (value <= 0 || present == 0 || value < percentiles[0]) return (double) zeros / cohort;
        double position; // where value falls among the sorted non-zero values, 0 .. present-1
        if (value >= percentiles[100]) {
            position = present - 1;
        } else {
            int i = 0;
            while (i < 100 && percentiles[i + 1] <= value) i++;
            double span = percentiles[i + 1] - percentiles[i];
            position = (i + (span <= 0 ? 0 : (value - percentiles[i]) / span)) / 100.0 * (present - 1);
        }
        double atOrBelow = Math.floor(position + 1e-9) + 1;
        return (zeros + atOrBelow) / cohort;
    }

    /**
     * The {@code background} block of a taxon answer (the open platform). Below {@code minCohort} samples its figures
     * are withheld (null; the cohort's size stays): over a handful of people, the extremes and the mean describe
     * someone (with two, the other person's abundance is there to read). The same holds for the samples carrying the
     * taxon: with one other carrier in a large cohort, the top quantile, or the mean times the cohort less the caller's
     * own value, is that person's abundance; so below {@code minCohort} carriers only the frequency is shown.
     */
    Map<String, Object> block(String referenceCohort, Double sampleValue, int minCohort) {
        boolean counted = cohort >= minCohort;
        boolean shown = counted && present >= minCohort;
        Map<String, Object> quantiles = new LinkedHashMap<>();
        for (int q : QUANTILES) quantiles.put(q + "%", shown ? coarse(quantile(q / 100.0)) : null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reference_cohort", referenceCohort);
        m.put("background", quantiles);
        m.put("freq", !counted ? null : cohort == 0 ? 0.0 : (double) present / cohort);
        m.put("rank_ratio", !shown || sampleValue == null ? null : ">=" + (int) Math.floor(rankRatio(sampleValue) * 100) + "%");
        m.put("mean", !shown ? null : cohort == 0 ? 0.0 : coarse(sum / cohort));
        m.put("cohort_size", cohort);
        return m;
    }

    /**
     * Three significant digits: enough to place a sample in its cohort, too few to recover one profile's abundance
     * from the difference between two publications.
     */
    static double coarse(double v) {
        if (v == 0 || !Double.isFinite(v)) return v;
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3, java.math.RoundingMode.HALF_EVEN)).doubleValue();
    }

    static String encode(double[] percentiles) {
        return Arrays.toString(percentiles);
    }

    static double[] decode(String text) {
        String inner = text.substring(1, text.length() - 1).trim();
        if (inner.isEmpty()) return new double[101];
        return Arrays.stream(inner.split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
    }
}
