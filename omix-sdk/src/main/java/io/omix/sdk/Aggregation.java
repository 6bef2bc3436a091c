package io.omix.sdk;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Which numeric stream values to aggregate, in periods of a time unit: the data element, the sample,
 * where the first period starts, and either where the last ends or how many periods.
 * <pre>{@code
 * Aggregation week = Aggregation.of(heartRate, TimeDimension.DAY).biosample(sampleId)
 *         .days(LocalDate.of(2025, 6, 1), LocalDate.of(2025, 6, 7)).build();
 * }</pre>
 */
public final class Aggregation {
    private final String dataElementId;
    private final TimeDimension dimension;
    private final String biosampleId;
    private final String start;
    private final String end;
    private final Integer interval;
    private final Integer periods;

    private Aggregation(Builder b) {
        this.dataElementId = b.dataElementId;
        this.dimension = b.dimension;
        this.biosampleId = b.biosampleId;
        this.start = b.start;
        this.end = b.end;
        this.interval = b.interval;
        this.periods = b.periods;
    }

    /**
     * Starts an aggregation of one data element's values in periods of {@code dimension}.
     *
     * @param dataElementId the data element (what was measured), a UUID
     * @param dimension     the periods' unit
     * @return a builder of the aggregation
     * @throws NullPointerException when an argument is null
     */
    public static Builder of(String dataElementId, TimeDimension dimension) {
        return new Builder(dataElementId, dimension);
    }

    String dataElementId() {
        return dataElementId;
    }

    TimeDimension dimension() {
        return dimension;
    }

    String biosampleId() {
        return biosampleId;
    }

    String start() {
        return start;
    }

    String end() {
        return end;
    }

    Integer interval() {
        return interval;
    }

    Integer periods() {
        return periods;
    }

    /** Builds an {@link Aggregation}; exactly one of an end and a number of periods. */
    public static final class Builder {
        private final String dataElementId;
        private final TimeDimension dimension;
        private String biosampleId;
        private String start;
        private String end;
        private Integer interval;
        private Integer periods;

        private Builder(String dataElementId, TimeDimension dimension) {
            this.dataElementId = Objects.requireNonNull(dataElementId, "dataElementId");
            this.dimension = Objects.requireNonNull(dimension, "dimension");
        }

        /**
         * Sets the sample whose values to aggregate (required with the application's own token).
         *
         * @param biosampleId the sample's id ({@code E-...}), or null for all the person's samples
         * @return this builder
         */
        public Builder biosample(String biosampleId) {
            this.biosampleId = biosampleId;
            return this;
        }

        private Builder window(Times.Window w) {
            this.start = w.start();
            this.end = w.end();
            return this;
        }

        /**
         * Aggregates whole days, both included, in the platform's time zone.
         *
         * @param first the first day counted
         * @param last  the last day counted, not before {@code first}
         * @return this builder
         * @throws IllegalArgumentException when {@code last} is before {@code first}
         */
        public Builder days(LocalDate first, LocalDate last) {
            return window(Times.Window.days(first, last));
        }

        /**
         * Aggregates from {@code from} to {@code to}, both included.
         *
         * @param from the first period is the one holding this time
         * @param to   the last time counted, not before {@code from}
         * @return this builder
         * @throws IllegalArgumentException when {@code to} is before {@code from}
         */
        public Builder between(OffsetDateTime from, OffsetDateTime to) {
            return window(Times.Window.between(from, to));
        }

        /**
         * Aggregates {@code periods} periods from the one holding {@code from}.
         *
         * @param from    the first period is the one holding this time
         * @param periods how many periods, 1 to 100
         * @return this builder
         * @throws IllegalArgumentException when {@code periods} is not 1 to 100
         */
        public Builder periods(OffsetDateTime from, int periods) {
            if (periods < 1 || periods > 100) throw new IllegalArgumentException("periods must be 1 to 100");
            this.start = Times.format(from);
            this.end = null;
            this.periods = periods;
            return this;
        }

        /**
         * Makes each period {@code interval} units long (1 by default).
         *
         * @param interval units of the dimension per period, 1 to 1000
         * @return this builder
         * @throws IllegalArgumentException when {@code interval} is not 1 to 1000
         */
        public Builder interval(int interval) {
            if (interval < 1 || interval > 1000) throw new IllegalArgumentException("interval must be 1 to 1000");
            this.interval = interval;
            return this;
        }

        /**
         * The aggregation.
         *
         * @return an immutable aggregation
         * @throws IllegalStateException when no window was set ({@link #days}, {@link #between} or {@link #periods})
         */
        public Aggregation build() {
            if (start == null) throw new IllegalStateException("set the window: days(...), between(...) or periods(...)");
            return new Aggregation(this);
        }
    }
}
