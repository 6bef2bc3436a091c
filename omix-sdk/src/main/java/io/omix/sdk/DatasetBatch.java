package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * A batch of a dataset (the dataset batches API's {@code BatchInfo}), typed; fields not asked for are null.
 *
 * @param id          the batch's id
 * @param name        its name
 * @param description where its rows came from (a file or a source dataset), as the API describes it
 * @param state       its state, e.g. {@code active} or {@code suspended}
 * @param rowCount    how many rows it holds
 * @param columnCount how many columns
 * @param createdAt   when it was made
 * @param raw         the whole answer, for fields this type does not name ({@code source}, {@code data_schema})
 */
public record DatasetBatch(Long id, String name, Model description, String state, Long rowCount, Long columnCount,
                           OffsetDateTime createdAt, Model raw) {
    static DatasetBatch of(Model m) {
        String created = m.getString("created_at");
        return new DatasetBatch(m.getLong("id"), m.getString("name"), m.get("description") instanceof Model d ? d : null, m.getString("state"),
                m.getLong("row_count"), m.getLong("column_count"), created == null ? null : Times.parse(created), m);
    }
}
