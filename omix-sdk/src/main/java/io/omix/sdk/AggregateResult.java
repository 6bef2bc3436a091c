package io.omix.sdk;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The answer of aggregate_omics_data, typed: one entry per period, oldest first.
 *
 * @param timeDimension       the periods' unit
 * @param interval            units per period
 * @param periods             the periods, each with its count and, when it has values, sum, mean, min and max
 * @param skippedWithoutValue records in the window whose payload had no numeric value (not counted)
 * @param raw                 the whole answer, for fields this type does not name
 */
public record AggregateResult(TimeDimension timeDimension, int interval, List<Period> periods, long skippedWithoutValue, Model raw) {

    /**
     * One period's figures; {@code sum}, {@code mean}, {@code min} and {@code max} are null when it has no values.
     *
     * @param start the period's start, included
     * @param end   the period's end, excluded
     * @param count how many values it has
     * @param sum   their sum
     * @param mean  their mean
     * @param min   the smallest
     * @param max   the largest
     */
    public record Period(OffsetDateTime start, OffsetDateTime end, long count, Double sum, Double mean, Double min, Double max) {}

    static AggregateResult of(Model m) {
        List<Period> periods = m.getList("periods").models().stream().map(p -> new Period(Times.parse(p.getString("start_time")),
                Times.parse(p.getString("end_time")), p.getLong("count") == null ? 0 : p.getLong("count"), p.getDouble("sum"),
                p.getDouble("mean"), p.getDouble("min"), p.getDouble("max"))).toList();
        Long skipped = m.getLong("skipped_without_value");
        return new AggregateResult(TimeDimension.valueOf(m.getString("time_dimension").toUpperCase(java.util.Locale.ROOT)),
                m.getInt("interval") == null ? 1 : m.getInt("interval"), periods, skipped == null ? 0 : skipped, m);
    }
}
