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

    public static Builder builder() {
        return new Builder();
    }

    /** All the caller's samples, 50 a page. */
    public static SampleQuery all() {
        return builder().build();
    }

    Integer page() {
        return page;
    }

    /** The query for another page. */
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

    ApiRequest apply(ApiRequest r) {
        return r.query("biosample_ids", biosampleIds).query("biosample_sites", biosampleSites).query("omics", omics)
                .query("project_ids", projectIds).query("organisms", organisms).query("data_availability", dataAvailability)
                .query("statuses", statuses).query("page", page).query("limit", limit);
    }

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

        public Builder biosampleIds(String... ids) {
            this.biosampleIds = upper(ids);
            return this;
        }

        public Builder biosampleSites(Integer... sites) {
            this.biosampleSites = Arrays.asList(sites);
            return this;
        }

        public Builder omics(Integer... values) {
            this.omics = Arrays.asList(values);
            return this;
        }

        public Builder projectIds(String... ids) {
            this.projectIds = upper(ids);
            return this;
        }

        public Builder organisms(Integer... values) {
            this.organisms = Arrays.asList(values);
            return this;
        }

        public Builder dataAvailability(boolean available) {
            this.dataAvailability = available;
            return this;
        }

        public Builder statuses(Integer... codes) {
            this.statuses = Arrays.asList(codes);
            return this;
        }

        /** Page number, from 1. */
        public Builder page(int page) {
            this.page = page;
            return this;
        }

        /** Samples a page, 1 to 100 (default 50). */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public SampleQuery build() {
            return new SampleQuery(this);
        }

        /** Ids are upper-cased before sending, as the original client does. */
        private static List<String> upper(String... ids) {
            return Arrays.stream(ids).map(s -> s == null ? null : s.toUpperCase(java.util.Locale.ROOT)).toList();
        }
    }
}
