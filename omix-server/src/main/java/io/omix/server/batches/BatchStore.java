package io.omix.server.batches;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.TimeOrderedIds;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Batches and their data items: register, import, commit (one flag), and reading committed items. */
public final class BatchStore {
    public record Batch(long batchNo, String namespace, String name, String intro, OffsetDateTime ctime, long itemCount,
                        String commitTaskId, boolean committed, OffsetDateTime commitTime, boolean extracted) {}

    public record NewItem(String dataElementId, JsonNode attributes) {}

    public record Item(long batchNo, long seq, String dataItemId, String biosampleId, String dataElementId, String attributes,
                       OffsetDateTime createTime) {}

    /** Why an import or commit is refused. */
    public enum Refusal { NO_SUCH_BATCH, COMMITTED, NO_SUCH_SAMPLE, QUOTA_EXCEEDED }

    private static final String UNIQUE_VIOLATION = "23505";
    private static final AtomicLong LAST_BATCH_NO = new AtomicLong();

    private final Platform platform;
    private final Jdbc jdbc;

    public BatchStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /**
     * A new batch numbered like the original's (epoch milliseconds), unique across servers; 41401 when the namespace
     * holds batches.max-open-per-namespace batches not yet committed (its commits make room; a soft count, as for
     * items: registrations at the same moment may each take the last room). Committed batches are the partner's
     * record of its imports and are never deleted, so they are not counted.
     */
    public Batch register(String namespace, String name, String intro) {
        long open = jdbc.queryOne("SELECT COUNT(*) FROM batches WHERE namespace = ? AND committed = FALSE", rs -> rs.getLong(1), namespace)
                .orElse(0L);
        if (open >= platform.config().quotas().openBatchesPerNamespace()) {
            throw new ApiException(ErrorCode.QUOTA_EXCEEDED, Map.of("limit", "batches.max-open-per-namespace"));
        }
        for (int attempt = 0; ; attempt++) {
            long now = platform.clock().millis();
            long batchNo = LAST_BATCH_NO.updateAndGet(last -> Math.max(last + 1, now));
            try {
                OffsetDateTime ctime = platform.now();
                jdbc.update("INSERT INTO batches (batch_no, namespace, name, intro, ctime) VALUES (?,?,?,?,?)",
                        batchNo, namespace, name, intro, ctime);
                return new Batch(batchNo, namespace, name, intro, ctime, 0, null, false, null, false);
            } catch (Jdbc.DataAccessException e) {
                // Another server took this number in the same millisecond: take the next one.
                if (attempt > 100 || !(e.getCause() instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState()))) throw e;
            }
        }
    }

    public Optional<Batch> find(String namespace, long batchNo) {
        return jdbc.queryOne(SELECT + " WHERE batch_no = ? AND namespace = ?", BatchStore::batch, batchNo, namespace);
    }

    /**
     * Appends items to a batch not yet committed (nor queued for commit). The batch row is locked
     * while the items are numbered, so concurrent imports into one batch never share a number.
     */
    public Optional<Refusal> importItems(String namespace, long batchNo, String biosampleId, List<NewItem> items) {
        return jdbc.inTransaction(tx -> {
            // The sample held first (the order an erasure locks it, before the batches it updates): an erasure running
            // now either waits for these items and removes them too, or has removed the sample and these are refused.
            if (biosampleId != null && Jdbc.query(tx, "SELECT 1 FROM samples WHERE biosample_id = ?" + platform.database().holdRows(), rs -> 1,
                    biosampleId).isEmpty()) {
                return Optional.of(Refusal.NO_SUCH_SAMPLE);
            }
            List<Batch> locked = Jdbc.query(tx, SELECT + " WHERE batch_no = ? AND namespace = ? FOR UPDATE", BatchStore::batch, batchNo, namespace);
            if (locked.isEmpty()) return Optional.of(Refusal.NO_SUCH_BATCH);
            Batch batch = locked.get(0);
            if (batch.commitTaskId() != null || batch.committed()) return Optional.of(Refusal.COMMITTED);
            // What the namespace's batches hold, committed or not (an erasure lowers it): imports into other batches running
            // at this moment may each take the last room, at most a call's items each, and no more of them than the servers'
            // database connections (a soft quota: a namespace-wide lock would serialise a partner's parallel imports).
            long held = Jdbc.query(tx, "SELECT COALESCE(SUM(item_count), 0) FROM batches WHERE namespace = ?", rs -> rs.getLong(1), namespace).get(0);
            if (held + items.size() > platform.config().quotas().batchItemsPerNamespace()) return Optional.of(Refusal.QUOTA_EXCEEDED);
            OffsetDateTime now = platform.now();
            // Numbered after the batch's last item, not its count: an erasure removes a sample's items from open batches.
            long seq = Jdbc.query(tx, "SELECT COALESCE(MAX(seq), 0) FROM data_items WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).get(0);
            try (PreparedStatement ps = tx.prepareStatement("INSERT INTO data_items (batch_no, seq, data_item_id, biosample_id,"
                    + " data_element_id, attributes, create_time) VALUES (?,?,?,?,?,?,?)")) {
                for (NewItem item : items) {
                    Jdbc.bind(ps, batchNo, ++seq, TimeOrderedIds.next().toString(), biosampleId, item.dataElementId(),
                            item.attributes().toString(), now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            Jdbc.update(tx, "UPDATE batches SET item_count = item_count + ? WHERE batch_no = ?", items.size(), batchNo);
            return Optional.empty();
        });
    }

    /** Marks the batch as queued for commit by {@code taskId} (in the caller's transaction); empty when refused. */
    public static Optional<Refusal> queueCommit(Connection tx, String namespace, long batchNo, String taskId) throws SQLException {
        List<Batch> locked = Jdbc.query(tx, SELECT + " WHERE batch_no = ? AND namespace = ? FOR UPDATE", BatchStore::batch, batchNo, namespace);
        if (locked.isEmpty()) return Optional.of(Refusal.NO_SUCH_BATCH);
        if (locked.get(0).commitTaskId() != null || locked.get(0).committed()) return Optional.of(Refusal.COMMITTED);
        Jdbc.update(tx, "UPDATE batches SET commit_task_id = ? WHERE batch_no = ?", taskId, batchNo);
        return Optional.empty();
    }

    /** Makes every item of the batch visible at once; the number of items it made visible. */
    static long commit(Connection tx, long batchNo, OffsetDateTime now) throws SQLException {
        long items = Jdbc.query(tx, "SELECT COUNT(*) FROM data_items WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).get(0);
        Jdbc.update(tx, "UPDATE batches SET committed = TRUE, commit_time = ? WHERE batch_no = ? AND committed = FALSE", now, batchNo);
        return items;
    }

    /**
     * Committed items, in (batch, import order) after {@code after} (a {batch_no, seq} position or
     * null), of one sample and/or one batch, optionally of some data elements only.
     */
    /** A page of committed items, and whether more follow it. */
    public record ItemPage(List<Item> items, boolean more) {}

    /**
     * Committed items in (batch, sequence) order after {@code after}: at most {@code limit}, and no more than fill
     * {@code maxChars} of attributes (one at least). Rows are read fifty at a time, by their key, so that what a page holds
     * in memory is its budget on both databases (the embedded one reads a statement's whole result before the first row;
     * a thousand items of 64 KiB each were 64 Mi characters read at once, and as much again parsed).
     */
    public ItemPage committedItems(String namespace, String biosampleId, Long batchNo, List<String> elementIds, long[] after, int limit, long maxChars) {
        List<Item> items = new ArrayList<>();
        long chars = 0;
        long[] from = after;
        while (true) {
            StringBuilder sql = new StringBuilder();
            List<Object> args = new ArrayList<>();
            itemsQuery(sql, args, namespace, biosampleId, batchNo, elementIds, from);
            args.add(READ_AT_ONCE);
            List<Item> read = jdbc.query(sql.toString(), rs -> new Item(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.getObject(7, OffsetDateTime.class)), args.toArray());
            for (Item item : read) {
                if (items.size() == limit) return new ItemPage(items, true);
                if (!items.isEmpty() && chars + item.attributes().length() > maxChars) return new ItemPage(items, true);
                chars += item.attributes().length();
                items.add(item);
            }
            if (read.size() < READ_AT_ONCE) return new ItemPage(items, false);
            Item last = read.get(read.size() - 1);
            from = new long[] {last.batchNo(), last.seq()};
        }
    }

    /** How many items a page reads with one statement: 50 of at most 64 KiB of attributes each. */
    private static final int READ_AT_ONCE = 50;

    static void itemsQuery(StringBuilder sql, List<Object> args, String namespace, String biosampleId, Long batchNo, List<String> elementIds,
                                   long[] after) {
        sql.append("SELECT i.batch_no, i.seq, i.data_item_id, i.biosample_id, i.data_element_id, i.attributes,"
                + " i.create_time FROM data_items i JOIN batches b ON b.batch_no = i.batch_no WHERE b.committed = TRUE AND b.namespace = ?");
        args.add(namespace);
        if (biosampleId != null) {
            sql.append(" AND i.biosample_id = ?");
            args.add(biosampleId);
        }
        if (batchNo != null) {
            sql.append(" AND i.batch_no = ?");
            args.add(batchNo);
        }
        if (elementIds != null && !elementIds.isEmpty()) {
            sql.append(" AND i.data_element_id IN (").append("?,".repeat(elementIds.size() - 1)).append("?)");
            args.addAll(elementIds);
        }
        if (after != null && batchNo != null) {
            // Within one batch, its items after the cursor's: a range of the key from the cursor on.
            if (after[0] > batchNo) {
                sql.append(" AND 1 = 0");
            } else if (after[0] == batchNo) {
                sql.append(" AND i.seq > ?");
                args.add(after[1]);
            }
        } else if (after != null) {
            // A row-value comparison: PostgreSQL seeks to the cursor, H2 to the cursor's batch and walks on from there.
            sql.append(" AND (i.batch_no, i.seq) > (?, ?)");
            args.add(after[0]);
            args.add(after[1]);
        }
        // Ordered by the whole index it is read along (a sample's, else the key): only then does H2 walk the index in
        // order and stop at the limit; otherwise it reads and sorts every matching item first, attributes and all.
        sql.append(biosampleId != null ? " ORDER BY i.biosample_id, i.batch_no, i.seq LIMIT ?" : " ORDER BY i.batch_no, i.seq LIMIT ?");
    }

    private static final String SELECT = "SELECT batch_no, namespace, name, intro, ctime, item_count, commit_task_id, committed,"
            + " commit_time, extracted FROM batches";

    private static Batch batch(ResultSet rs) throws SQLException {
        return new Batch(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5, OffsetDateTime.class),
                rs.getLong(6), rs.getString(7), rs.getBoolean(8), rs.getObject(9, OffsetDateTime.class), rs.getBoolean(10));
    }
}
