package io.omix.sdk;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Which records of a data element to read: a sample, a time window (both ends included), the order
 * and the page size.
 * <pre>{@code
 * StreamRange june = StreamRange.of(heartRate).biosample(sampleId)
 *         .days(LocalDate.of(2025, 6, 1), LocalDate.of(2025, 6, 7)).sort(Sort.ASC).build();
 * }</pre>
 */
public final class StreamRange {
    private final String dataElementId;
    private final String biosampleId;
    private final String start;
    private final String end;
    private final Sort sort;
    private final int pageSize;

    private StreamRange(Builder b) {
        this.dataElementId = b.dataElementId;
        this.biosampleId = b.biosampleId;
        this.start = b.start;
        this.end = b.end;
        this.sort = b.sort;
        this.pageSize = b.pageSize;
    }

    /** A range of the data element {@code dataElementId}. */
    public static Builder of(String dataElementId) {
        return new Builder(dataElementId);
    }

    String dataElementId() {
        return dataElementId;
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

    Sort sort() {
        return sort;
    }

    int pageSize() {
        return pageSize;
    }

    /** Builds a {@link StreamRange}. */
    public static final class Builder {
        private final String dataElementId;
        private String biosampleId;
        private String start;
        private String end;
        private Sort sort = Sort.DESC;
        private int pageSize = 100;

        private Builder(String dataElementId) {
            this.dataElementId = Objects.requireNonNull(dataElementId, "dataElementId");
        }

        /** The sample (required with the application's own token; a person's token reads all their samples without it). */
        public Builder biosample(String biosampleId) {
            this.biosampleId = biosampleId;
            return this;
        }

        /**
         * Whole days, both included, in the platform's time zone: from the start of {@code first}
         * to the end of {@code last} (a window ending on a date keeps that date's records).
         */
        public Builder days(LocalDate first, LocalDate last) {
            if (last.isBefore(first)) throw new IllegalArgumentException("the last day is before the first");
            this.start = first.toString();
            this.end = last + " 23:59:59.999999";
            return this;
        }

        /** From {@code from} to {@code to}, both included (to the microsecond). */
        public Builder between(OffsetDateTime from, OffsetDateTime to) {
            if (to.isBefore(from)) throw new IllegalArgumentException("the end is before the start");
            this.start = Times.format(from);
            this.end = Times.format(to);
            return this;
        }

        /** Oldest first ({@link Sort#ASC}) or newest first (the default). */
        public Builder sort(Sort sort) {
            this.sort = Objects.requireNonNull(sort, "sort");
            return this;
        }

        /** Records per page fetched (1 to 100; 100 by default): the iteration fetches further pages itself. */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > 100) throw new IllegalArgumentException("pageSize must be 1 to 100");
            this.pageSize = pageSize;
            return this;
        }

        public StreamRange build() {
            return new StreamRange(this);
        }
    }
}
