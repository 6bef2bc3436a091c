package io.omix.server.streams;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.DayOfWeek;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Buckets records by calendar period (aligned in the platform's zone: years start on 1 January,
 * quarters on 1 January/April/July/October, weeks on Monday) and aggregates the numeric value of
 * each record: {@code stream_data.value_quantity.value} where present, else {@code stream_data.value};
 * records with neither are counted as skipped.
 */
final class Aggregation {
    enum Dimension { YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND }

    static final int MAX_PERIODS = 100;

    private final Dimension dimension;
    private final int interval;
    private final List<OffsetDateTime> starts = new ArrayList<>();
    private final long[] count;
    /** Exact decimal sums: values arrive as decimal text, and doubles would answer 5882.400000000002 for 5882.4. */
    private final java.math.BigDecimal[] sum;
    private final double[] min;
    private final double[] max;
    private long skipped;

    /** @param periods how many buckets from {@code start} (aligned down), or 0 to reach {@code end} */
    Aggregation(Dimension dimension, int interval, OffsetDateTime start, OffsetDateTime end, int periods, ZoneOffset zone) {
        this.dimension = dimension;
        this.interval = interval;
        OffsetDateTime t = align(start.withOffsetSameInstant(zone), dimension);
        int n = periods;
        if (n == 0) {
            n = 0;
            for (OffsetDateTime s = t; !s.isAfter(end) && n <= MAX_PERIODS; s = next(s)) n++;
        }
        if (n > MAX_PERIODS) throw new IllegalArgumentException("spans more than " + MAX_PERIODS + " periods: widen interval or time_dimension");
        for (int i = 0; i <= n; i++) {
            starts.add(t);
            t = next(t);
        }
        count = new long[n];
        sum = new java.math.BigDecimal[n];
        java.util.Arrays.fill(sum, java.math.BigDecimal.ZERO);
        min = new double[n];
        max = new double[n];
    }

    OffsetDateTime from() {
        return starts.get(0);
    }

    /** The end of the last bucket (exclusive). */
    OffsetDateTime until() {
        return starts.get(starts.size() - 1);
    }

    static OffsetDateTime align(OffsetDateTime t, Dimension d) {
        return switch (d) {
            case YEAR -> t.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1);
            case QUARTER -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).withMonth((t.getMonthValue() - 1) / 3 * 3 + 1);
            case MONTH -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
            case WEEK -> t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case DAY -> t.truncatedTo(ChronoUnit.DAYS);
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case MINUTE -> t.truncatedTo(ChronoUnit.MINUTES);
            case SECOND -> t.truncatedTo(ChronoUnit.SECONDS);
        };
    }

    private OffsetDateTime next(OffsetDateTime t) {
        return switch (dimension) {
            case YEAR -> t.plusYears(interval);
            case QUARTER -> t.plusMonths(3L * interval);
            case MONTH -> t.plusMonths(interval);
            case WEEK -> t.plusWeeks(interval);
            case DAY -> t.plusDays(interval);
            case HOUR -> t.plusHours(interval);
            case MINUTE -> t.plusMinutes(interval);
            case SECOND -> t.plusSeconds(interval);
        };
    }

    /** The record's number: an Observation's {@code value_quantity.value}, else a plain {@code value}; null when neither is a number. */
    static JsonNode numericNode(JsonNode data) {
        JsonNode v = data.path("value_quantity").path("value");
        if (!v.isNumber()) v = data.path("value");
        return v.isNumber() ? v : null;
    }

    void add(OffsetDateTime time, JsonNode data) {
        JsonNode number = numericNode(data);
        if (number == null) {
            skipped++;
            return;
        }
        double value = number.doubleValue();
        int lo = 0;
        int hi = count.length - 1;
        while (lo < hi) { // the last bucket starting at or before time
            int mid = (lo + hi + 1) >>> 1;
            if (starts.get(mid).isAfter(time)) hi = mid - 1; else lo = mid;
        }
        if (time.isBefore(starts.get(lo)) || !time.isBefore(starts.get(lo + 1))) return;
        if (count[lo] == 0 || value < min[lo]) min[lo] = value;
        if (count[lo] == 0 || value > max[lo]) max[lo] = value;
        count[lo]++;
        sum[lo] = sum[lo].add(number.decimalValue());
    }

    Map<String, Object> result() {
        List<Map<String, Object>> periods = new ArrayList<>();
        for (int i = 0; i < count.length; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("start_time", io.omix.server.common.time.PartialTime.render(starts.get(i)));
            p.put("end_time", io.omix.server.common.time.PartialTime.render(starts.get(i + 1)));
            p.put("count", count[i]);
            p.put("sum", count[i] == 0 ? null : sum[i]);
            // Divided in decimals (34 digits: a value sent with 17 keeps them), then made a double: a sum of values each within
            // a double's range may pass it (two of 1.7e308), and its double divided was Infinity, written as a string.
            p.put("mean", count[i] == 0 ? null : sum[i].divide(java.math.BigDecimal.valueOf(count[i]), java.math.MathContext.DECIMAL128).doubleValue());
            p.put("min", count[i] == 0 ? null : min[i]);
            p.put("max", count[i] == 0 ? null : max[i]);
            periods.add(p);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time_dimension", dimension.name().toLowerCase(java.util.Locale.ROOT));
        out.put("interval", interval);
        out.put("periods", periods);
        out.put("skipped_without_value", skipped);
        return out;
    }
}
