package io.omix.sdk;

/**
 * One gene of a sample's gene profile, typed.
 *
 * @param geneId     the catalog's id of the gene, e.g. {@code igc_1}
 * @param geneName   the gene's name in the catalog
 * @param value      the relative abundance, in {@code unit}
 * @param unit       the unit of {@code value} ({@code percent})
 * @param software   the profiler that measured it
 * @param annotation what the catalog says of the gene (KEGG and eggNOG annotation, phylum, genus, completeness, length)
 * @param raw        the whole answer, for fields this type does not name
 */
public record GeneAbundance(String geneId, String geneName, double value, String unit, String software, Model annotation, Model raw) {
    static GeneAbundance of(Model m) {
        Model observation = m.getModel("observation");
        Model gene = null;
        String prefix = "";
        for (String key : m.keySet()) {
            if (key.endsWith("_gene") && m.getModel(key) != null) {
                gene = m.getModel(key);
                prefix = key;
            }
        }
        if (gene == null) gene = new Model(io.omix.sdk.internal.Json.MAPPER.createObjectNode());
        return new GeneAbundance(gene.getString(prefix + "_id"), gene.getString(prefix + "_name"),
                TaxonAbundance.orZero(observation.getDouble("value")), observation.getString("unit"), observation.getString("software"),
                gene.getModel("annotation"), m);
    }
}
