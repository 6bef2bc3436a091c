package io.omix.sdk;

import java.util.List;
import java.util.Objects;

/**
 * Which abundances of a metagenomics sample to read: the sample, optionally some ids (taxa, functions
 * or genes, depending on the call), and the page size. One query type serves the taxon, function
 * and gene calls of {@link Api.Microbiome}.
 * <pre>{@code
 * AbundanceQuery gut = AbundanceQuery.of(sampleId).ids("816", "815").pageSize(100).build();
 * }</pre>
 */
public final class AbundanceQuery {
    private final String biosampleId;
    private final List<String> ids;
    private final int pageSize;

    private AbundanceQuery(Builder b) {
        this.biosampleId = b.biosampleId;
        this.ids = b.ids;
        this.pageSize = b.pageSize;
    }

    /**
     * Starts a query of one sample's abundances: every id, 100 a page unless set.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @return a builder of the query
     * @throws NullPointerException when {@code biosampleId} is null
     */
    public static Builder of(String biosampleId) {
        return new Builder(biosampleId);
    }

    /**
     * The query of every abundance of a sample, 100 a page.
     *
     * @param biosampleId the metagenomics sample's id ({@code E-...})
     * @return the query
     * @throws NullPointerException when {@code biosampleId} is null
     */
    public static AbundanceQuery all(String biosampleId) {
        return of(biosampleId).build();
    }

    String biosampleId() {
        return biosampleId;
    }

    /** The ids, comma-joined, or null for all. */
    String idList() {
        return ids.isEmpty() ? null : String.join(",", ids);
    }

    int pageSize() {
        return pageSize;
    }

    /** Builds an {@link AbundanceQuery}. */
    public static final class Builder {
        private final String biosampleId;
        private List<String> ids = List.of();
        private int pageSize = 100;

        private Builder(String biosampleId) {
            this.biosampleId = Objects.requireNonNull(biosampleId, "biosampleId").toUpperCase(java.util.Locale.ROOT);
        }

        /**
         * Reads only these ids: NCBI taxon ids for taxa (at any rank), the catalog's ids for functions
         * (e.g. {@code GO:0005975}), gene ids for genes.
         *
         * @param ids one or more ids, none blank, none containing a comma
         * @return this builder
         * @throws IllegalArgumentException when an id is blank or holds a comma
         */
        public Builder ids(String... ids) {
            return ids(List.of(ids));
        }

        /**
         * Reads only these ids (see {@link #ids(String...)}).
         *
         * @param ids the ids, none blank, none containing a comma; empty for all
         * @return this builder
         * @throws IllegalArgumentException when an id is blank or holds a comma
         */
        public Builder ids(List<String> ids) {
            for (String id : ids) {
                if (id == null || id.isBlank() || id.contains(",")) throw new IllegalArgumentException("not an id: " + id);
            }
            this.ids = List.copyOf(ids);
            return this;
        }

        /**
         * Sets how many abundances each request fetches; the iteration fetches further pages itself.
         *
         * @param pageSize 1 to 100 (100 by default)
         * @return this builder
         * @throws IllegalArgumentException when {@code pageSize} is not 1 to 100
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > 100) throw new IllegalArgumentException("pageSize must be 1 to 100");
            this.pageSize = pageSize;
            return this;
        }

        /**
         * The query.
         *
         * @return an immutable query
         */
        public AbundanceQuery build() {
            return new AbundanceQuery(this);
        }
    }
}
