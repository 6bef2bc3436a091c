package io.omix.sdk;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A dataset of the dataset batches API ({@code DsInfo}), typed; fields not asked for are null.
 *
 * @param id        the dataset's id
 * @param name      its name
 * @param status    its status
 * @param createdAt when it was made
 * @param updatedAt when it last changed
 * @param rowCount  how many rows its active batches hold, or null
 * @param batchIds  its batches, or empty when not asked for
 * @param raw       the whole answer, for fields this type does not name ({@code data_schema}, {@code sources}, ...)
 */
public record DatasetInfo(Long id, String name, String status, OffsetDateTime createdAt, OffsetDateTime updatedAt, Long rowCount,
                          List<Long> batchIds, Model raw) {
    static DatasetInfo of(Model m) {
        Model stats = m.getModel("stats");
        ListModel ids = m.getList("batch_ids");
        List<Long> batchIds = ids == null ? List.of() : ids.stream().map(o -> ((Number) o).longValue()).toList();
        return new DatasetInfo(m.getLong("id"), m.getString("name"), m.getString("status"), Times.parseOrNull(m.getString("created_at")),
                Times.parseOrNull(m.getString("updated_at")), stats == null ? null : stats.getLong("row_count"), batchIds, m);
    }

}
