package io.omix.sdk;

import java.util.Map;

/**
 * One taxon of a sample's MetaPhlAn profile, typed, with where it stands in the reference cohort.
 *
 * @param taxonId    the NCBI taxonomy id of the clade
 * @param taxonName  the clade's MetaPhlAn name, e.g. {@code g__Bacteroides}
 * @param rank       kingdom, phylum, class, order, family, genus, species or strain
 * @param lineage    the MetaPhlAn path from the kingdom, {@code |}-separated
 * @param value      the relative abundance, in {@code unit}
 * @param unit       the unit of {@code value} ({@code percent})
 * @param background the cohort's distribution for the same clade, or null where the platform has none
 * @param raw        the whole answer, for fields this type does not name
 */
public record TaxonAbundance(String taxonId, String taxonName, String rank, String lineage, double value, String unit,
                             Background background, Model raw) {

    /**
     * The reference cohort's distribution of one clade's abundance.
     *
     * @param referenceCohort the cohort's name
     * @param cohortSize      how many samples the cohort holds
     * @param mean            the cohort's mean abundance
     * @param freq            the share of the cohort's samples in which the clade occurs (0 to 1)
     * @param rankRatio       where this sample stands, e.g. {@code >=51%}
     * @param quantiles       the cohort's abundance at {@code 0%}, {@code 5%}, {@code 25%}, {@code 50%},
     *                        {@code 75%}, {@code 95%} and {@code 100%}
     */
    public record Background(String referenceCohort, int cohortSize, double mean, double freq, String rankRatio,
                             Map<String, Double> quantiles) {}

    static TaxonAbundance of(Model m) {
        Model taxonomy = m.getModel("taxonomy");
        Model observation = m.getModel("observation");
        Model bg = m.getModel("background");
        Background background = null;
        if (bg != null && bg.getInt("cohort_size") != null) {
            Map<String, Double> quantiles = new java.util.LinkedHashMap<>();
            Model q = bg.getModel("background");
            if (q != null) for (String k : q.keySet()) quantiles.put(k, q.getDouble(k));
            background = new Background(bg.getString("reference_cohort"), bg.getInt("cohort_size"), orZero(bg.getDouble("mean")),
                    orZero(bg.getDouble("freq")), bg.getString("rank_ratio"), java.util.Collections.unmodifiableMap(quantiles));
        }
        return new TaxonAbundance(taxonomy.getString("taxon_id"), taxonomy.getString("taxon_name"), taxonomy.getString("rank"),
                taxonomy.getString("lineage"), orZero(observation.getDouble("value")), observation.getString("unit"), background, m);
    }

    static double orZero(Double d) {
        return d == null ? 0 : d;
    }
}
