package io.omix.sdk;

/** The functional catalogs of get_func_abundance (HUMAnN regroupings). */
public enum FunctionCatalog {
    /** Gene Ontology terms. */
    GO("go"),
    /** KEGG orthologs. */
    KO("ko"),
    /** eggNOG orthologous groups. */
    EGGNOG("eggnog"),
    /** Pfam protein families. */
    PFAM("pfam"),
    /** KEGG pathways. */
    KEGG_PWY("kegg-pwy"),
    /** KEGG modules. */
    KEGG_MDL("kegg-mdl"),
    /** Enzyme Commission numbers, fourth level. */
    LEVEL4EC("level4ec"),
    /** MetaCyc reactions. */
    METACYC_RXN("metacyc-rxn"),
    /** MetaCyc pathways. */
    METACYC_PWY("metacyc-pwy");

    private final String wire;

    FunctionCatalog(String wire) {
        this.wire = wire;
    }

    /**
     * The catalog's name on the wire, e.g. {@code kegg-pwy}.
     *
     * @return the name the platform reads
     */
    public String wire() {
        return wire;
    }
}
