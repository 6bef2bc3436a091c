package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Filters, fields, order and page of {@code batches().list} (the dataset batches API); every part optional.
 * <pre>{@code BatchQuery.builder().fields("id", "name", "row_count").statuses("active")
 *     .createdBetween(from, null).sortDescending("row_count").limit(20).build()}</pre>
 */
public final class BatchQuery {
    private final List<String> fields;
    private final List<Long> ids;
    private final Instant createdFrom;
    private final Instant createdTo;
    private final List<String> statuses;
    private final List<Long> rowCounts;
    private final List<String> sort;
    private final Integer limit;
    private final Integer offset;

    private BatchQuery(Builder b) {
        this.fields = List.copyOf(b.fields);
        this.ids = List.copyOf(b.ids);
        this.createdFrom = b.createdFrom;
        this.createdTo = b.createdTo;
        this.statuses = List.copyOf(b.statuses);
        this.rowCounts = List.copyOf(b.rowCounts);
        this.sort = List.copyOf(b.sort);
        this.limit = b.limit;
        this.offset = b.offset;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every batch, the server's default fields and page size. */
    public static BatchQuery all() {
        return builder().build();
    }

    Integer limit() {
        return limit;
    }

    Integer offset() {
        return offset;
    }

    /** The same query at another offset (for walking pages). */
    BatchQuery atOffset(int newOffset) {
        Builder b = toBuilder();
        b.offset = newOffset;
        return b.build();
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.fields.addAll(fields);
        b.ids.addAll(ids);
        b.createdFrom = createdFrom;
        b.createdTo = createdTo;
        b.statuses.addAll(statuses);
        b.rowCounts.addAll(rowCounts);
        b.sort.addAll(sort);
        b.limit = limit;
        b.offset = offset;
        return b;
    }

    /** Writes the query parameters in the API's syntax. */
    ApiRequest apply(ApiRequest request) {
        if (!fields.isEmpty()) request.query("fields", fields);
        if (!ids.isEmpty()) request.query("id", ids);
        if (createdFrom != null || createdTo != null) {
            List<String> bounds = new ArrayList<>();
            if (createdFrom != null) bounds.add("from:'" + createdFrom + "'");
            if (createdTo != null) bounds.add("to:'" + createdTo + "'");
            request.query("created_at", "(" + String.join(",", bounds) + ")");
        }
        if (!statuses.isEmpty()) request.query("status", statuses);
        if (!rowCounts.isEmpty()) request.query("row_count", rowCounts);
        if (!sort.isEmpty()) request.query("sort", String.join(",", sort));
        request.query("limit", limit);
        request.query("offset", offset);
        return request;
    }

    public static final class Builder {
        private final List<String> fields = new ArrayList<>();
        private final List<Long> ids = new ArrayList<>();
        private Instant createdFrom;
        private Instant createdTo;
        private final List<String> statuses = new ArrayList<>();
        private final List<Long> rowCounts = new ArrayList<>();
        private final List<String> sort = new ArrayList<>();
        private Integer limit;
        private Integer offset;

        private Builder() {}

        /** Field names ({@code id, name, state, created_at, row_count...}) or a set: {@code __min}, {@code __standard}, {@code __full}. */
        public Builder fields(String... names) {
            fields.addAll(Arrays.asList(names));
            return this;
        }

        public Builder ids(Long... batchIds) {
            ids.addAll(Arrays.asList(batchIds));
            return this;
        }

        public Builder ids(List<Long> batchIds) {
            ids.addAll(batchIds);
            return this;
        }

        /** Batches created within [from, to]; either bound may be null. */
        public Builder createdBetween(Instant from, Instant to) {
            this.createdFrom = from;
            this.createdTo = to;
            return this;
        }

        /** Batch states: {@code active}, {@code suspended}... */
        public Builder statuses(String... states) {
            statuses.addAll(Arrays.asList(states));
            return this;
        }

        /** Batches holding exactly one of these numbers of rows. */
        public Builder rowCounts(Long... counts) {
            rowCounts.addAll(Arrays.asList(counts));
            return this;
        }

        /** Adds an ascending sort key; keys apply in the order given. */
        public Builder sortAscending(String field) {
            sort.add("(" + field + ":asc)");
            return this;
        }

        public Builder sortDescending(String field) {
            sort.add("(" + field + ":desc)");
            return this;
        }

        /** Page size, 0 to 100. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder offset(int offset) {
            this.offset = offset;
            return this;
        }

        public BatchQuery build() {
            return new BatchQuery(this);
        }
    }
}
