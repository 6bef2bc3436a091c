package io.omix.sdk;

/** The gene catalogs of get_gene_abundance. */
public enum GeneCatalog {
    /** The Integrated Gene Catalog of the human gut (9.9 million genes): listed or as a file. */
    IGC_9_9M("IGC_9.9M"),
    /** UniRef90 through HUMAnN2 0.11: too large to list, offered as a file only. */
    UNIREF90_HUMANN2_0_11("UniRef90_HUMAnN2_0.11");

    private final String wire;

    GeneCatalog(String wire) {
        this.wire = wire;
    }

    /**
     * The catalog's name on the wire, e.g. {@code IGC_9.9M}.
     *
     * @return the name the platform reads
     */
    public String wire() {
        return wire;
    }
}
