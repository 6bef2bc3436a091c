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
    private final String entityId;
    private final String namespace;
    private final String start;
    private final String end;
    private final Sort sort;
    private final int pageSize;

    private StreamRange(Builder b) {
        this.dataElementId = b.dataElementId;
        this.biosampleId = b.biosampleId;
        this.entityId = b.entityId;
        this.namespace = b.namespace;
        this.start = b.start;
        this.end = b.end;
        this.sort = b.sort;
        this.pageSize = b.pageSize;
    }

    /**
     * Starts a range of one data element's records: all times, newest first, 100 a page unless set.
     *
     * @param dataElementId the data element (what was measured), a UUID
     * @return a builder of the range
     * @throws NullPointerException when {@code dataElementId} is null
     */
    public static Builder of(String dataElementId) {
        return new Builder(dataElementId);
    }

    String dataElementId() {
        return dataElementId;
    }

    String biosampleId() {
        return biosampleId;
    }

    String entityId() {
        return entityId;
    }

    String namespace() {
        return namespace;
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
        private String entityId;
        private String namespace;
        private String start;
        private String end;
        private Sort sort = Sort.DESC;
        private int pageSize = 100;

        private Builder(String dataElementId) {
            this.dataElementId = Objects.requireNonNull(dataElementId, "dataElementId");
        }

        /**
         * Sets the sample whose records to read (required with the application's own token; a person's
         * token reads all their samples without it).
         *
         * @param biosampleId the sample's id ({@code E-...}), or null for all the person's samples
         * @return this builder
         */
        public Builder biosample(String biosampleId) {
            this.biosampleId = biosampleId;
            return this;
        }

        /**
         * Sets the entity whose records to read, instead of a sample (the private platform only: the
         * {@code fundamental_entity_id} that {@code partner.streams().bind(sample)} answered).
         *
         * @param fundamentalEntityId the entity, or null
         * @return this builder
         */
        public Builder entity(String fundamentalEntityId) {
            this.entityId = fundamentalEntityId;
            return this;
        }

        /**
         * Sets the namespace whose records to read (the private platform only, where it is required:
         * the app's own namespace, as {@code omix admin app create} printed it).
         *
         * @param namespace the namespace
         * @return this builder
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        private Builder window(Times.Window w) {
            this.start = w.start();
            this.end = w.end();
            return this;
        }

        /**
         * Sets the window to whole days, both included, in the platform's time zone: from the start of
         * {@code first} to the end of {@code last} (a window ending on a date keeps that date's records).
         *
         * @param first the first day read
         * @param last  the last day read, not before {@code first}
         * @return this builder
         * @throws IllegalArgumentException when {@code last} is before {@code first}
         */
        public Builder days(LocalDate first, LocalDate last) {
            return window(Times.Window.days(first, last));
        }

        /**
         * Sets the window from {@code from} to {@code to}, both included (to the microsecond).
         *
         * @param from the earliest time read
         * @param to   the latest time read, not before {@code from}
         * @return this builder
         * @throws IllegalArgumentException when {@code to} is before {@code from}
         */
        public Builder between(OffsetDateTime from, OffsetDateTime to) {
            return window(Times.Window.between(from, to));
        }

        /**
         * Sets the order of the records.
         *
         * @param sort oldest first ({@link Sort#ASC}) or newest first ({@link Sort#DESC}, the default)
         * @return this builder
         */
        public Builder sort(Sort sort) {
            this.sort = Objects.requireNonNull(sort, "sort");
            return this;
        }

        /**
         * Sets how many records each request fetches; the iteration fetches further pages itself.
         *
         * @param pageSize records per page, 1 to 100 (100 by default)
         * @return this builder
         * @throws IllegalArgumentException when {@code pageSize} is not 1 to 100
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > 100) throw new IllegalArgumentException("pageSize must be 1 to 100");
            this.pageSize = pageSize;
            return this;
        }

        /**
         * Makes the range, for {@code api.streams().range(...)}.
         *
         * @return the range as set so far
         */
        public StreamRange build() {
            return new StreamRange(this);
        }
    }
}
