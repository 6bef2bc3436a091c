package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * One data item of a committed batch (batch_retrieve of data items), typed.
 *
 * @param dataItemId    its id
 * @param dataElementId its data element
 * @param biosampleId   the sample it describes, or null
 * @param namespace     the namespace of the app that imported it
 * @param collectionId  the batch it came in
 * @param attributes    its attributes
 * @param createTime    when it was imported
 * @param raw           the whole answer, for fields this type does not name
 */
public record DataItem(String dataItemId, String dataElementId, String biosampleId, String namespace, Long collectionId, Model attributes,
                       OffsetDateTime createTime, Model raw) {
    static DataItem of(Model m) {
        return new DataItem(m.getString("data_item_id"), m.getString("data_element_id"), m.getString("biosample_id"), m.getString("namespace"),
                m.getLong("collection_id"), m.getModel("attributes"), Times.parse(m.getString("create_time")), m);
    }
}
