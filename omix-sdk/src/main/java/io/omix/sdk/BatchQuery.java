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

    /**
     * Starts a query with no filters; add the parts you need.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Every batch, the server's default fields ({@code __standard}) and page size (50).
     *
     * @return a query without filters
     */
    public static BatchQuery all() {
        return builder().build();
    }

    /**
     * The page size asked for.
     *
     * @return the limit, or null for the server's default
     */
    Integer limit() {
        return limit;
    }

    /**
     * Where the page starts.
     *
     * @return the number of batches skipped, or null for 0
     */
    Integer offset() {
        return offset;
    }

    /**
     * The same query at another offset (for walking pages).
     *
     * @param newOffset the number of batches to skip
     * @return a new query, this one unchanged
     */
    BatchQuery atOffset(int newOffset) {
        Builder b = toBuilder();
        b.offset = newOffset;
        return b.build();
    }

    /**
     * A builder holding every part of this query, to change some of them.
     *
     * @return a new builder
     */
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

    /**
     * Writes the query parameters in the API's syntax: comma lists, {@code created_at=(from:'...',to:'...')},
     * {@code sort=(field:asc),...}; parts not set are left out.
     *
     * @param request the {@code GET .../batches} request
     * @return {@code request}
     */
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

    /** Collects the parts of a {@link BatchQuery}; list filters add to what was given before. */
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

        /**
         * The fields each batch is answered with ({@code fields}).
         *
         * @param names field names ({@code id, name, state, created_at, row_count...}) or a set: {@code __min},
         *              {@code __standard} (the default) or {@code __full}
         * @return this builder
         */
        public Builder fields(String... names) {
            fields.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Only these batches ({@code id}).
         *
         * @param batchIds batch ids
         * @return this builder
         */
        public Builder ids(Long... batchIds) {
            ids.addAll(Arrays.asList(batchIds));
            return this;
        }

        /**
         * Only these batches ({@code id}).
         *
         * @param batchIds batch ids
         * @return this builder
         */
        public Builder ids(List<Long> batchIds) {
            ids.addAll(batchIds);
            return this;
        }

        /**
         * Only batches created within [from, to] ({@code created_at}).
         *
         * @param from the earliest creation time, or null for no lower bound
         * @param to   the latest creation time, or null for no upper bound
         * @return this builder
         */
        public Builder createdBetween(Instant from, Instant to) {
            this.createdFrom = from;
            this.createdTo = to;
            return this;
        }

        /**
         * Only batches in these states ({@code status}).
         *
         * @param states batch states: {@code active}, {@code suspended}...
         * @return this builder
         */
        public Builder statuses(String... states) {
            statuses.addAll(Arrays.asList(states));
            return this;
        }

        /**
         * Only batches holding exactly one of these numbers of rows ({@code row_count}).
         *
         * @param counts numbers of rows
         * @return this builder
         */
        public Builder rowCounts(Long... counts) {
            rowCounts.addAll(Arrays.asList(counts));
            return this;
        }

        /**
         * Adds an ascending sort key; keys apply in the order given.
         *
         * @param field one of {@code id, name, state, created_at, row_count, column_count}
         * @return this builder
         */
        public Builder sortAscending(String field) {
            sort.add("(" + field + ":asc)");
            return this;
        }

        /**
         * Adds a descending sort key; keys apply in the order given.
         *
         * @param field one of {@code id, name, state, created_at, row_count, column_count}
         * @return this builder
         */
        public Builder sortDescending(String field) {
            sort.add("(" + field + ":desc)");
            return this;
        }

        /**
         * The page size ({@code limit}).
         *
         * @param limit 0 to 100 (the server's default: 50); others are refused with {@link InvalidParameterException}
         * @return this builder
         */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /**
         * Where the page starts ({@code offset}).
         *
         * @param offset the number of matching batches to skip
         * @return this builder
         */
        public Builder offset(int offset) {
            this.offset = offset;
            return this;
        }

        /**
         * The query, ready for {@code batches().list} or {@code batches().all}.
         *
         * @return the query; later changes to this builder do not affect it
         */
        public BatchQuery build() {
            return new BatchQuery(this);
        }
    }
}
