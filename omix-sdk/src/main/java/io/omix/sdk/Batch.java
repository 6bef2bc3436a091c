package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * A batch of data items of the private platform (retrieve_batch), typed.
 *
 * @param batchNo    its number
 * @param name       its title
 * @param intro      its description
 * @param namespace  the app's namespace
 * @param committed  whether it was committed (its items are visible)
 * @param createdAt  when it was registered
 * @param commitTime when it was committed, or null
 * @param raw        the whole answer, for fields this type does not name ({@code data_items}, {@code extracted})
 */
public record Batch(long batchNo, String name, String intro, String namespace, boolean committed, OffsetDateTime createdAt,
                    OffsetDateTime commitTime, Model raw) {
    static Batch of(Model m) {
        return new Batch(m.getLong("batch_no"), m.getString("name"), m.getString("intro"), m.getString("namespace"),
                truthy(m.get("committed")), time(m.get("ctime")), time(m.get("commit_time")), m);
    }

    private static boolean truthy(Object v) {
        return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
    }

    private static OffsetDateTime time(Object v) {
        if (v instanceof Number n) return java.time.Instant.ofEpochMilli(n.longValue()).atOffset(Times.PLATFORM_DEFAULT_OFFSET);
        return v instanceof String s && !s.isBlank() ? Times.parse(s) : null;
    }
}
