package io.omix.sdk;

import java.util.Map;
import java.util.Objects;

/**
 * One data item to import into a batch: its data element, its attributes and, optionally, the sample it describes.
 *
 * @param dataElementId the data element (what the item is)
 * @param attributes    the item's attributes (a JSON object of at most 64 KiB)
 * @param biosampleId   the sample it describes, or null
 */
public record BatchItem(String dataElementId, Map<String, ?> attributes, String biosampleId) {
    /**
     * Checks the item.
     *
     * @param dataElementId the data element
     * @param attributes    the attributes
     * @param biosampleId   the sample, or null
     * @throws NullPointerException when the element or the attributes are null
     */
    public BatchItem {
        Objects.requireNonNull(dataElementId, "dataElementId");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    /**
     * An item describing no particular sample.
     *
     * @param dataElementId the data element
     * @param attributes    the attributes
     * @return the item
     */
    public static BatchItem of(String dataElementId, Map<String, ?> attributes) {
        return new BatchItem(dataElementId, attributes, null);
    }

    /**
     * This item, describing {@code biosampleId}.
     *
     * @param biosampleId the sample's id ({@code E-...})
     * @return a copy naming the sample
     */
    public BatchItem forSample(String biosampleId) {
        return new BatchItem(dataElementId, attributes, biosampleId);
    }

    Map<String, Object> wire() {
        return Map.of("data_element_id", dataElementId, "attributes", attributes);
    }
}
