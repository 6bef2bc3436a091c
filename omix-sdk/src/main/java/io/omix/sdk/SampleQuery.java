package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;

import java.util.Arrays;
import java.util.List;

/**
 * Filters of {@code get_samples} (the open platform); every one optional, combined with AND.
 * <pre>{@code SampleQuery.builder().biosampleSites(10, 11).omics(1).limit(20).build()}</pre>
 */
public final class SampleQuery {
    private final List<String> biosampleIds;
    private final List<Integer> biosampleSites;
    private final List<Integer> omics;
    private final List<String> projectIds;
    private final List<Integer> organisms;
    private final Boolean dataAvailability;
    private final List<Integer> statuses;
    private final Integer page;
    private final Integer limit;

    private SampleQuery(Builder b) {
        this.biosampleIds = b.biosampleIds;
        this.biosampleSites = b.biosampleSites;
        this.omics = b.omics;
        this.projectIds = b.projectIds;
        this.organisms = b.organisms;
        this.dataAvailability = b.dataAvailability;
        this.statuses = b.statuses;
        this.page = b.page;
        this.limit = b.limit;
    }

    /**
     * Starts a query with no filters; add the ones you need.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * All the caller's samples, 50 a page.
     *
     * @return a query without filters
     */
    public static SampleQuery all() {
        return builder().build();
    }

    /**
     * The page asked for.
     *
     * @return the page number from 1, or null for the server's first page
     */
    Integer page() {
        return page;
    }

    /**
     * The query for another page.
     *
     * @param newPage the page number, from 1
     * @return the same filters and page size at {@code newPage}
     */
    SampleQuery withPage(int newPage) {
        Builder b = new Builder();
        b.biosampleIds = biosampleIds;
        b.biosampleSites = biosampleSites;
        b.omics = omics;
        b.projectIds = projectIds;
        b.organisms = organisms;
        b.dataAvailability = dataAvailability;
        b.statuses = statuses;
        b.limit = limit;
        b.page = newPage;
        return new SampleQuery(b);
    }

    /**
     * Adds the filters, page and limit to a request as query parameters; those not set are left out.
     *
     * @param r the {@code GET /samples} request
     * @return {@code r}
     */
    ApiRequest apply(ApiRequest r) {
        return r.query("biosample_ids", biosampleIds).query("biosample_sites", biosampleSites).query("omics", omics)
                .query("project_ids", projectIds).query("organisms", organisms).query("data_availability", dataAvailability)
                .query("statuses", statuses).query("page", page).query("limit", limit);
    }

    /** Collects the filters of a {@link SampleQuery}; each setter replaces what it set before. */
    public static final class Builder {
        private List<String> biosampleIds;
        private List<Integer> biosampleSites;
        private List<Integer> omics;
        private List<String> projectIds;
        private List<Integer> organisms;
        private Boolean dataAvailability;
        private List<Integer> statuses;
        private Integer page;
        private Integer limit;

        /** A builder with no filters; {@link SampleQuery#builder()} is the usual way to get one. */
        public Builder() {}

        /**
         * Only these samples ({@code biosample_ids}); ids are upper-cased before sending.
         *
         * @param ids sample ids, e.g. {@code E-B00000000001}
         * @return this builder
         */
        public Builder biosampleIds(String... ids) {
            this.biosampleIds = upper(ids);
            return this;
        }

        /**
         * Only samples taken at these sites ({@code biosample_sites}).
         *
         * @param sites site codes from 1 to 15, e.g. 10 feces, 11 blood
         * @return this builder
         */
        public Builder biosampleSites(Integer... sites) {
            this.biosampleSites = Arrays.asList(sites);
            return this;
        }

        /**
         * Only samples of these kinds of data ({@code omics}).
         *
         * @param values omic codes: 1 genomics, 2 metagenomics
         * @return this builder
         */
        public Builder omics(Integer... values) {
            this.omics = Arrays.asList(values);
            return this;
        }

        /**
         * Only samples of these projects ({@code project_ids}); ids are upper-cased before sending.
         *
         * @param ids project ids ({@code P-} + a letter + 11 digits)
         * @return this builder
         */
        public Builder projectIds(String... ids) {
            this.projectIds = upper(ids);
            return this;
        }

        /**
         * Only samples of these organisms ({@code organisms}).
         *
         * @param values organism codes: 1 human, 2 mouse, 3 rat
         * @return this builder
         */
        public Builder organisms(Integer... values) {
            this.organisms = Arrays.asList(values);
            return this;
        }

        /**
         * Only samples whose data is, or is not, available ({@code data_availability}).
         *
         * @param available true for samples with data available, false for those without
         * @return this builder
         */
        public Builder dataAvailability(boolean available) {
            this.dataAvailability = available;
            return this;
        }

        /**
         * Only samples in these states ({@code statuses}).
         *
         * @param codes status codes, e.g. 1000 registered, 5000 sequenced, 9999 interpreted
         * @return this builder
         */
        public Builder statuses(Integer... codes) {
            this.statuses = Arrays.asList(codes);
            return this;
        }

        /**
         * The page to fetch ({@code page}); the paging helpers of the clients start here.
         *
         * @param page the page number, from 1
         * @return this builder
         */
        public Builder page(int page) {
            this.page = page;
            return this;
        }

        /**
         * Samples a page ({@code limit}).
         *
         * @param limit 1 to 100 (the server's default: 50); others are refused with {@link InvalidParameterException}
         * @return this builder
         */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /**
         * The query, ready for {@code getSamples}, {@code samples} or {@code samples().list}.
         *
         * @return the query
         */
        public SampleQuery build() {
            return new SampleQuery(this);
        }

        /** Ids are upper-cased before sending, as the original client does. */
        private static List<String> upper(String... ids) {
            return Arrays.stream(ids).map(s -> s == null ? null : s.toUpperCase(java.util.Locale.ROOT)).toList();
        }
    }
}
