package io.omix.sdk;

/**
 * One function of a sample's HUMAnN profile in one catalog, typed.
 *
 * @param functionId    the catalog's id, e.g. {@code GO:0005975}
 * @param display       its readable name
 * @param system        the catalog and the profiler's version, e.g. {@code go_HUMAnN2_0.11}
 * @param dataElementId the data element the platform files this function under
 * @param value         the relative abundance, in {@code unit}
 * @param unit          the unit of {@code value} ({@code percent})
 * @param raw           the whole answer, for fields this type does not name
 */
public record FunctionAbundance(String functionId, String display, String system, String dataElementId, double value, String unit,
                                Model raw) {
    static FunctionAbundance of(Model m) {
        Model coding = m.getModel("coding");
        Model observation = m.getModel("observation");
        return new FunctionAbundance(coding.getString("id"), coding.getString("display"), coding.getString("system"),
                m.getString("data_element_id"), TaxonAbundance.orZero(observation.getDouble("value")), observation.getString("unit"), m);
    }
}
