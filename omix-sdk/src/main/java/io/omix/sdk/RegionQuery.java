package io.omix.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which calls of a sample to read by position (the open platform client's professional_variant):
 * regions (1-based, both ends included) or a BED file's text, and whether to keep only variant sites.
 * <pre>{@code
 * RegionQuery apoe = RegionQuery.of(sampleId).region("chr19", 44_905_000, 44_910_000).build();
 * RegionQuery panel = RegionQuery.of(sampleId).bed(Files.readString(Path.of("panel.bed"))).allSites().build();
 * }</pre>
 */
public final class RegionQuery {
    private final String biosampleId;
    private final List<String> regions;
    private final String bed;
    private final boolean onlyVariantSites;
    private final int pageSize;

    private RegionQuery(Builder b) {
        this.biosampleId = b.biosampleId;
        this.regions = List.copyOf(b.regions);
        this.bed = b.bed;
        this.onlyVariantSites = b.onlyVariantSites;
        this.pageSize = b.pageSize;
    }

    /**
     * Starts a query of one sample's calls.
     *
     * @param biosampleId the genomics sample's id ({@code E-...})
     * @return a builder of the query
     * @throws NullPointerException when {@code biosampleId} is null
     */
    public static Builder of(String biosampleId) {
        return new Builder(biosampleId);
    }

    String biosampleId() {
        return biosampleId;
    }

    List<String> regions() {
        return regions;
    }

    String bed() {
        return bed;
    }

    boolean onlyVariantSites() {
        return onlyVariantSites;
    }

    int pageSize() {
        return pageSize;
    }

    /** Builds a {@link RegionQuery}: regions or a BED file, exactly one of them. */
    public static final class Builder {
        private final String biosampleId;
        private final List<String> regions = new ArrayList<>();
        private String bed;
        private boolean onlyVariantSites = true;
        private int pageSize = 100;

        private Builder(String biosampleId) {
            this.biosampleId = Objects.requireNonNull(biosampleId, "biosampleId").toUpperCase(java.util.Locale.ROOT);
        }

        /**
         * Adds a region (at most 1,000 in all).
         *
         * @param chromosome the chromosome as the VCF names it ({@code chr19} and {@code 19} both match)
         * @param start      the first position, from 1
         * @param end        the last position, not before {@code start}
         * @return this builder
         * @throws IllegalArgumentException when the region is empty or malformed
         */
        public Builder region(String chromosome, long start, long end) {
            if (chromosome == null || !chromosome.matches("[A-Za-z0-9_.]{1,32}")) throw new IllegalArgumentException("not a chromosome: " + chromosome);
            if (start < 1 || end < start) throw new IllegalArgumentException("a region is 1-based with start <= end");
            regions.add(chromosome + ":" + start + "-" + end);
            return this;
        }

        /**
         * Reads the regions of a BED file (0-based, end excluded, as BED writes them), instead of {@link #region}.
         *
         * @param bedText the file's text, at most 1 MiB and 1,000 regions
         * @return this builder
         */
        public Builder bed(String bedText) {
            this.bed = bedText;
            return this;
        }

        /**
         * Keeps homozygous reference calls and no-calls too (by default only calls with an alternate allele come back).
         *
         * @return this builder
         */
        public Builder allSites() {
            this.onlyVariantSites = false;
            return this;
        }

        /**
         * Sets how many calls each request fetches; the iteration fetches further pages itself.
         *
         * @param pageSize 1 to 1000 (100 by default)
         * @return this builder
         * @throws IllegalArgumentException when {@code pageSize} is not 1 to 1000
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > 1000) throw new IllegalArgumentException("pageSize must be 1 to 1000");
            this.pageSize = pageSize;
            return this;
        }

        /**
         * The query.
         *
         * @return an immutable query
         * @throws IllegalStateException when both or neither of regions and a BED file were given
         */
        public RegionQuery build() {
            if (regions.isEmpty() == (bed == null || bed.isBlank())) throw new IllegalStateException("give regions or a BED file, one of them");
            if (regions.size() > 1000) throw new IllegalStateException("at most 1000 regions");
            return new RegionQuery(this);
        }
    }
}
