package io.omix.server.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ServerJson;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Workspaces, projects, datasets, their columns, batches and rows. */
public final class DatasetStore {
    /**
     * Most characters one row takes as stored (its cells as a JSON array, escapes included): a page or a job reads rows a
     * fetch at a time, and PostgreSQL's driver holds a whole fetch in memory, so a row's size bounds what a read holds.
     */
    static final int MAX_ROW_CHARS = 1_048_576;
    /** Rows read per statement by pages and jobs: with {@link #MAX_ROW_CHARS}, at most 32 Mi characters (64 MiB) held at once. */
    static final int ROWS_FETCHED = 32;

    public record Workspace(long workspaceId, long projectId) {}

    public record Column(String cId, String cName, String cType) {}

    public record Dataset(long id, long projectId, long workspaceId, String name, String status, String sourceType, JsonNode source,
                          JsonNode displayProperties, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                          List<Column> columns, long rowCount, int batchCount, List<Long> batchIds) {}

    public record Batch(long id, long datasetId, String name, String state, JsonNode description, JsonNode source, long rowCount,
                        int columnCount, OffsetDateTime createdAt) {}

    static final String ACTIVE = "active";
    static final String SUSPENDED = "suspended";
    private static final int ROWS_PER_STATEMENT = 1000;

    private final Platform platform;
    private final Jdbc jdbc;

    public DatasetStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    Jdbc jdbc() {
        return jdbc;
    }

    static long nextId(Connection tx) throws SQLException {
        return Jdbc.query(tx, "SELECT nextval('ds_ids')", rs -> rs.getLong(1)).get(0);
    }

    /** A workspace owned by a dataset API key, with one project in it. */
    public Workspace createWorkspace(String apiKey, String name) {
        return jdbc.inTransaction(tx -> {
            OffsetDateTime now = platform.now();
            long workspace = nextId(tx);
            long project = nextId(tx);
            Jdbc.update(tx, "INSERT INTO ds_workspaces (workspace_id, owner_key, name, created_at) VALUES (?,?,?,?)", workspace, apiKey, name, now);
            Jdbc.update(tx, "INSERT INTO ds_projects (project_id, workspace_id, name, created_at) VALUES (?,?,?,?)", project, workspace, name, now);
            return new Workspace(workspace, project);
        });
    }

    public List<Workspace> workspaces(String apiKey) {
        return jdbc.query("SELECT w.workspace_id, p.project_id FROM ds_workspaces w JOIN ds_projects p ON p.workspace_id = w.workspace_id"
                + " WHERE w.owner_key = ? ORDER BY w.workspace_id, p.project_id", rs -> new Workspace(rs.getLong(1), rs.getLong(2)), apiKey);
    }

    /** Every dataset with the workspace and project it lives in, for operators (newest first, at most {@code limit}). */
    List<Map<String, Object>> allDatasets(int limit) {
        return jdbc.query("SELECT w.workspace_id, p.project_id, d.dataset_id, d.name, w.owner_key FROM datasets d"
                + " JOIN ds_projects p ON p.project_id = d.project_id JOIN ds_workspaces w ON w.workspace_id = p.workspace_id"
                + " ORDER BY d.dataset_id DESC LIMIT " + limit, rs -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("workspace_id", rs.getLong(1));
            m.put("project_id", rs.getLong(2));
            m.put("dataset_id", rs.getLong(3));
            m.put("name", rs.getString(4));
            m.put("api_key", rs.getString(5));
            return m;
        });
    }

    /** The project exists in the workspace (whoever owns it). */
    boolean projectExists(long workspaceId, long projectId) {
        return jdbc.queryOne("SELECT 1 FROM ds_projects WHERE project_id = ? AND workspace_id = ?", rs -> 1, projectId, workspaceId).isPresent();
    }

    boolean ownsProject(String apiKey, long workspaceId, long projectId) {
        return jdbc.queryOne("SELECT 1 FROM ds_projects p JOIN ds_workspaces w ON w.workspace_id = p.workspace_id"
                + " WHERE p.project_id = ? AND w.workspace_id = ? AND w.owner_key = ?", rs -> 1, projectId, workspaceId, apiKey).isPresent();
    }

    /** The dataset key whose workspace holds project {@code projectId}. */
    Optional<String> ownerKeyOfProject(long projectId) {
        return jdbc.queryOne("SELECT w.owner_key FROM ds_projects p JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE p.project_id = ?",
                rs -> rs.getString(1), projectId);
    }

    /** A dataset of any of the key's projects (the source of a batch may live in another project). */
    Optional<Dataset> ownedDataset(String apiKey, long datasetId) {
        return jdbc.queryOne("SELECT d.project_id FROM datasets d JOIN ds_projects p ON p.project_id = d.project_id"
                        + " JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE d.dataset_id = ? AND w.owner_key = ?",
                rs -> rs.getLong(1), datasetId, apiKey).flatMap(project -> dataset(project, datasetId));
    }

    Optional<Dataset> dataset(long projectId, long datasetId) {
        List<Dataset> found = datasets(new SqlWhere().and("d.project_id = ?", projectId).and("d.dataset_id = ?", datasetId), "", 1, 0);
        return found.stream().findFirst();
    }

    private static final String DATASET_SELECT = "SELECT d.dataset_id, d.project_id, p.workspace_id, d.name, d.status, d.source_type,"
            + " d.source, d.display_properties, d.created_by, d.created_at, d.updated_at,"
            + " (SELECT COALESCE(SUM(b.row_count), 0) FROM ds_batches b WHERE b.dataset_id = d.dataset_id AND b.state = 'active') AS row_count,"
            + " (SELECT COUNT(*) FROM ds_batches b WHERE b.dataset_id = d.dataset_id AND b.state <> 'deleting') AS batch_count"
            + " FROM datasets d JOIN ds_projects p ON p.project_id = d.project_id";

    /** The most batch ids a dataset's view lists. */
    static final int BATCH_IDS_SHOWN = 1000;

    /** Datasets matching {@code where} (on datasets aliased {@code d}), deleted ones never. */
    List<Dataset> datasets(SqlWhere where, String orderBy, int limit, int offset) {
        where.and("d.status <> 'deleted'");
        return jdbc.withConnection(c -> {
            List<Dataset> out = new ArrayList<>();
            for (Object[] row : Jdbc.query(c, DATASET_SELECT + where.sql() + orderBy + " LIMIT ? OFFSET ?", DatasetStore::datasetRow,
                    where.argsWith(limit, offset))) {
                long id = (Long) row[0];
                List<Column> columns = Jdbc.query(c, "SELECT c_id, c_name, c_type FROM ds_columns WHERE dataset_id = ? ORDER BY position",
                        rs -> new Column(rs.getString(1), rs.getString(2), rs.getString(3)), id);
                // The first ones only: a dataset may have many batches, which GET .../batches pages through.
                List<Long> batchIds = Jdbc.query(c, "SELECT batch_id FROM ds_batches WHERE dataset_id = ? AND state <> 'deleting' ORDER BY batch_id"
                        + " FETCH FIRST " + BATCH_IDS_SHOWN + " ROWS ONLY", rs -> rs.getLong(1), id);
                out.add(new Dataset(id, (Long) row[1], (Long) row[2], (String) row[3], (String) row[4], (String) row[5], json((String) row[6]),
                        json((String) row[7]), (String) row[8], (OffsetDateTime) row[9], (OffsetDateTime) row[10], columns, (Long) row[11],
                        ((Long) row[12]).intValue(), batchIds));
            }
            return out;
        });
    }

    long countDatasets(SqlWhere where) {
        where.and("d.status <> 'deleted'");
        return jdbc.queryOne("SELECT COUNT(*) FROM datasets d" + where.sql(), rs -> rs.getLong(1), where.args()).orElse(0L);
    }

    private static Object[] datasetRow(ResultSet rs) throws SQLException {
        return new Object[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getString(8), rs.getString(9), rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class), rs.getLong(12),
                rs.getLong(13)};
    }

    /**
     * A new dataset (no columns, no batch yet); its id.
     *
     * @throws io.omix.server.common.http.HttpProblem 413 when the project's API key holds datasets.max-per-key datasets
     *         already ({@link #requireDatasetRoom})
     */
    static long insertDataset(Connection tx, long projectId, String name, String sourceType, JsonNode source,
                              JsonNode display, String createdBy, OffsetDateTime now, io.omix.server.ServerConfig.Quotas quotas) throws SQLException {
        requireDatasetRoom(tx, projectId, quotas);
        long id = nextId(tx);
        Jdbc.update(tx, "INSERT INTO datasets (dataset_id, project_id, name, status, source_type, source, display_properties, created_by,"
                        + " created_at, updated_at) VALUES (?,?,?,'ready',?,?,?,?,?,?)", id, projectId, name, sourceType, source.toString(),
                display == null ? null : display.toString(), createdBy, now, now);
        return id;
    }

    /**
     * Refuses (413, naming datasets.max-per-key) a new dataset in {@code projectId} when its API key holds that many
     * datasets, deleted ones not counted. A soft count: creations at the same moment may each take the last room, one
     * each, no more of them than the servers' database connections.
     */
    static void requireDatasetRoom(Connection tx, long projectId, io.omix.server.ServerConfig.Quotas quotas) throws SQLException {
        long held = Jdbc.query(tx, "SELECT COUNT(*) FROM datasets d JOIN ds_projects p ON p.project_id = d.project_id"
                + " JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE d.status <> 'deleted' AND w.owner_key ="
                + " (SELECT w2.owner_key FROM ds_projects p2 JOIN ds_workspaces w2 ON w2.workspace_id = p2.workspace_id WHERE p2.project_id = ?)",
                rs -> rs.getLong(1), projectId).get(0);
        if (held >= quotas.datasetsPerKey()) {
            throw new io.omix.server.common.http.HttpProblem(413, "the datasets of this API key would be more than " + quotas.datasetsPerKey()
                    + " (datasets.max-per-key); delete datasets first", Map.of("limit", "datasets.max-per-key"));
        }
    }

    static void insertColumns(Connection tx, long id, List<Column> columns) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO ds_columns (dataset_id, position, c_id, c_name, c_type) VALUES (?,?,?,?,?)")) {
            for (int i = 0; i < columns.size(); i++) {
                Column col = columns.get(i);
                Jdbc.bind(ps, id, i, col.cId(), col.cName(), col.cType());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The API key whose workspace holds {@code datasetId}. */
    static String ownerKeyOf(Connection tx, long datasetId) throws SQLException {
        return Jdbc.query(tx, "SELECT w.owner_key FROM datasets d JOIN ds_projects p ON p.project_id = d.project_id"
                + " JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE d.dataset_id = ?", rs -> rs.getString(1), datasetId).get(0);
    }

    /** Writes a batch's rows in multi-row statements; {@link #close()} finishes the batch with its true row count. */
    static final class BatchWriter implements AutoCloseable {
        private final Connection tx;
        private final long batchId;
        private final PreparedStatement insert;
        private final long rowsLeft;
        private final long bytesLeft;
        /** What the key's other batches held as this one started ({@link #heldByKey}). */
        private final long[] heldAtStart;
        private final io.omix.server.ServerConfig.Quotas quotas;
        private final String ownerKey;
        private long rows;
        private long bytes;
        private int pending;

        /** A new batch of {@code datasetId}, within what its API key may still hold ({@code quotas}). */
        BatchWriter(Connection tx, long datasetId, String name, JsonNode description, JsonNode source, int columnCount,
                    OffsetDateTime now, io.omix.server.ServerConfig.Quotas quotas) throws SQLException {
            this.tx = tx;
            this.quotas = quotas;
            this.ownerKey = ownerKeyOf(tx, datasetId);
            this.batchId = nextId(tx);
            this.heldAtStart = heldByKey();
            long[] room = room(heldAtStart);
            this.rowsLeft = room[0];
            this.bytesLeft = room[1];
            Jdbc.update(tx, "INSERT INTO ds_batches (batch_id, dataset_id, name, state, description, source, row_count, column_count, created_at)"
                    + " VALUES (?,?,?,'active',?,?,0,?,?)", batchId, datasetId, name, description.toString(), source.toString(), columnCount, now);
            this.insert = tx.prepareStatement("INSERT INTO ds_rows (batch_id, row_no, cells) VALUES (?,?,?)");
        }

        long batchId() {
            return batchId;
        }

        /**
         * Adds a row (at most {@link #MAX_ROW_CHARS} as stored).
         *
         * @throws io.omix.server.common.http.HttpProblem 413 when the key's datasets would hold more rows or bytes than allowed
         */
        void add(List<String> cells) throws SQLException {
            ArrayNode array = JsonNodeFactory.instance.arrayNode(cells.size());
            for (String cell : cells) array.add(cell);
            String text = array.toString();
            if (text.length() > MAX_ROW_CHARS) {
                throw QuerySyntax.bad("body", "row " + (rows + 1) + " takes " + text.length() + " characters as stored (its cells as JSON); at most "
                        + MAX_ROW_CHARS);
            }
            bytes += text.length();
            if (++rows > rowsLeft || bytes > bytesLeft) throw overQuota(rows > rowsLeft, heldAtStart);
            Jdbc.bind(insert, batchId, rows, text);
            insert.addBatch();
            if (++pending == ROWS_PER_STATEMENT) {
                insert.executeBatch();
                pending = 0;
            }
        }

        long rows() {
            return rows;
        }

        /**
         * Finishes the batch, checking the key's quota again with the key's workspaces locked (in id order): another
         * batch of the key written at the same time may have taken the room this one saw as it started.
         */
        @Override
        public void close() throws SQLException {
            try (insert) {
                if (pending > 0) insert.executeBatch();
            }
            Jdbc.query(tx, "SELECT workspace_id FROM ds_workspaces WHERE owner_key = ? ORDER BY workspace_id FOR UPDATE", rs -> 1, ownerKey);
            long[] held = heldByKey();
            long[] room = room(held);
            if (rows > room[0] || bytes > room[1]) throw overQuota(rows > room[0], held);
            Jdbc.update(tx, "UPDATE ds_batches SET row_count = ?, byte_count = ? WHERE batch_id = ?", rows, bytes, batchId);
        }

        /**
         * Rows and characters of cells the key's other batches hold, as committed now: those it can read (deleting ones
         * not), then all of them, deleting ones included (still on disk until purged).
         */
        private long[] heldByKey() throws SQLException {
            return Jdbc.query(tx, "SELECT COALESCE(SUM(CASE WHEN b.state <> 'deleting' THEN b.row_count ELSE 0 END), 0),"
                    + " COALESCE(SUM(CASE WHEN b.state <> 'deleting' THEN b.byte_count ELSE 0 END), 0),"
                    + " COALESCE(SUM(b.row_count), 0), COALESCE(SUM(b.byte_count), 0) FROM ds_batches b"
                    + " JOIN datasets d ON d.dataset_id = b.dataset_id JOIN ds_projects p ON p.project_id = d.project_id"
                    + " JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE w.owner_key = ? AND b.batch_id <> ?",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}, ownerKey, batchId).get(0);
        }

        /**
         * Rows and characters the key may still add: its quota in what it can read (a deletion makes room at once), and
         * twice its quota with what is still being purged, so that deleting and writing again cannot pile rows up on
         * disk faster than they are removed.
         */
        private long[] room(long[] held) {
            return new long[] {Math.min(quotas.datasetRowsPerKey() - held[0], 2 * quotas.datasetRowsPerKey() - held[2]),
                    Math.min(quotas.datasetBytesPerKey() - held[1], 2 * quotas.datasetBytesPerKey() - held[3])};
        }

        private io.omix.server.common.http.HttpProblem overQuota(boolean byRows, long[] held) {
            long quota = byRows ? quotas.datasetRowsPerKey() : quotas.datasetBytesPerKey();
            boolean purging = byRows ? 2 * quota - held[2] < quota - held[0] : 2 * quota - held[3] < quota - held[1];
            return new io.omix.server.common.http.HttpProblem(413, "the datasets of this API key would hold more than "
                    + (byRows ? quota + " rows (datasets.max-rows-per-key)" : quota + " characters of cells (datasets.max-bytes-per-key)")
                    + (purging ? ", with the deleted ones still being removed; retry once they are" : "; delete datasets or batches first"),
                    Map.of("limit", byRows ? "datasets.max-rows-per-key" : "datasets.max-bytes-per-key"));
        }
    }

    static void touch(Connection tx, long datasetId, OffsetDateTime now) throws SQLException {
        Jdbc.update(tx, "UPDATE datasets SET updated_at = ? WHERE dataset_id = ?", now, datasetId);
    }

    /**
     * Rows of an active batch after a row number ({@code batch_id, row_no, limit}): ordered by the whole key, since H2
     * walks an index in order (and stops at the limit) only when the order starts with the index's first column, and from
     * the rows' table alone (a join could make it start from the batches, whatever the order).
     */
    static final String ROWS_OF_BATCH = "SELECT r.row_no, r.cells FROM ds_rows r WHERE r.batch_id = ? AND r.row_no > ?"
            + " AND EXISTS (SELECT 1 FROM ds_batches b WHERE b.batch_id = ? AND b.state = 'active') ORDER BY r.batch_id, r.row_no LIMIT ?";

    /** A batch whose rows hold this much text at most is read with one statement (its rows cannot hold more in memory). */
    static final long ONE_STATEMENT_CHARS = 32L << 20;

    /**
     * How many of a batch's rows one statement reads: as many as asked when the whole batch holds at most
     * {@link #ONE_STATEMENT_CHARS} of text, else {@link #ROWS_FETCHED} (rows of up to {@link #MAX_ROW_CHARS} each).
     */
    static int rowsAStatement(long batchChars, long asked) {
        return rowsAStatement(batchChars, asked, ONE_STATEMENT_CHARS);
    }

    private static int rowsAStatement(long batchChars, long asked, long oneStatementChars) {
        return (int) Math.min(asked, batchChars <= oneStatementChars ? Integer.MAX_VALUE : ROWS_FETCHED);
    }

    /**
     * Rows of the active batches, in batch then row order, as cells of the chosen column positions: at most
     * {@code limit} rows from the {@code offset}-th, and no more once their stored text reaches {@code maxChars} (one row
     * at least), so that a page of wide rows stays within what a server holds for one answer.
     * <p>The offset is found from the batches' row counts (a batch's rows are numbered 1 to its count), and each batch
     * is read from its first row wanted by its key: a page deep in a large dataset costs what its rows cost, where an
     * SQL {@code OFFSET} read and dropped every row before it (a client walking 100M rows did quadratic work).
     */
    List<List<String>> data(long datasetId, int[] positions, int limit, long offset, long maxChars) {
        return data(datasetId, positions, limit, offset, maxChars, 0, ONE_STATEMENT_CHARS);
    }

    /**
     * {@link #data}, each row counted as its stored text and {@code charsARow} more (what the answer adds to a row: its
     * columns' names), a batch read with one statement only when it holds at most {@code oneStatementChars} (tests: 0,
     * always in pieces).
     */
    List<List<String>> data(long datasetId, int[] positions, int limit, long offset, long maxChars, long charsARow, long oneStatementChars) {
        // In a transaction: PostgreSQL streams rows by the fetch size only there, and would otherwise read all of them
        // first. Each statement sees the batches as they are then (read committed): a batch suspended or deleted after
        // the list was read gives no rows, and the page may come out shorter.
        return jdbc.inTransaction(c -> {
            List<long[]> active = Jdbc.query(c, "SELECT batch_id, row_count, byte_count FROM ds_batches WHERE dataset_id = ? AND state = 'active'"
                    + " ORDER BY batch_id", rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, datasetId);
            List<List<String>> rows = new ArrayList<>();
            long skip = offset;
            long chars = 0;
            // A batch of large rows ROWS_FETCHED rows a statement, each after the last one read (rowsAStatement): the embedded
            // store reads a statement's whole result before its first row, and a page of 10,000 rows of 1 MiB was 10 GiB.
            try (PreparedStatement ps = c.prepareStatement(ROWS_OF_BATCH)) {
                ps.setFetchSize(ROWS_FETCHED);
                for (long[] batch : active) {
                    if (skip >= batch[1]) {
                        skip -= batch[1];
                        continue;
                    }
                    long after = skip;
                    while (rows.size() < limit) {
                        int asked = rowsAStatement(batch[2], limit - rows.size(), oneStatementChars);
                        Jdbc.bind(ps, batch[0], after, batch[0], asked);
                        int read = 0;
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                read++;
                                after = rs.getLong(1);
                                String text = rs.getString(2);
                                chars += text.length() + charsARow;
                                JsonNode cells = json(text);
                                List<String> out = new ArrayList<>(positions.length);
                                for (int p : positions) out.add(cells.path(p).isNull() || cells.path(p).isMissingNode() ? null : cells.get(p).asText());
                                rows.add(out);
                                if (chars >= maxChars) return rows;
                            }
                        }
                        if (read < asked) break; // the batch's end
                    }
                    skip = 0;
                    if (rows.size() >= limit) break;
                }
            }
            return rows;
        });
    }

    List<Batch> batches(SqlWhere where, String orderBy, int limit, int offset) {
        return jdbc.query(BATCH_SELECT + where.sql() + orderBy + " LIMIT ? OFFSET ?", DatasetStore::batch, where.argsWith(limit, offset));
    }

    long countBatches(SqlWhere where) {
        return jdbc.queryOne("SELECT COUNT(*) FROM ds_batches b" + where.sql(), rs -> rs.getLong(1), where.args()).orElse(0L);
    }

    Optional<Batch> batch(long datasetId, long batchId) {
        return jdbc.queryOne(BATCH_SELECT + " WHERE b.dataset_id = ? AND b.batch_id = ? AND b.state <> 'deleting'", DatasetStore::batch,
                datasetId, batchId);
    }

    /** Ids among {@code ids} that are not batches of the dataset (deleted or deleting ones included). */
    List<Long> unknownBatches(long datasetId, List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        SqlWhere where = new SqlWhere().and("dataset_id = ?", datasetId).in("batch_id", ids).and("state <> 'deleting'");
        java.util.Set<Long> known = new java.util.HashSet<>(jdbc.query("SELECT batch_id FROM ds_batches" + where.sql(), rs -> rs.getLong(1), where.args()));
        return ids.stream().filter(id -> !known.contains(id)).distinct().toList();
    }

    /** Marks batches of {@code datasetId} deleting (from {@code now}): unreadable, out of the key's quota, left to a purge. */
    static void markDeleting(Connection tx, long datasetId, List<Long> ids, OffsetDateTime now) throws SQLException {
        if (ids.isEmpty()) return;
        SqlWhere where = new SqlWhere().and("dataset_id = ?", datasetId).in("batch_id", ids).and("state <> 'deleting'");
        Jdbc.update(tx, "UPDATE ds_batches SET state = 'deleting', deleting_since = ?" + where.sql(), prepend(now, where.args()));
    }

    static void setState(Connection tx, long datasetId, List<Long> ids, String state) throws SQLException {
        if (ids.isEmpty()) return;
        SqlWhere where = new SqlWhere().and("dataset_id = ?", datasetId).in("batch_id", ids).and("state <> 'deleting'");
        Jdbc.update(tx, "UPDATE ds_batches SET state = ?" + where.sql(), prepend(state, where.args()));
    }

    /** Rows one transaction of {@link #purge} removes at most; fewer for wide rows ({@link #PURGE_STEP_CHARS}). */
    static final int PURGE_STEP = 2_000;
    /** Characters of cells one transaction of {@link #purge} removes, about (rows are up to {@link #MAX_ROW_CHARS} each). */
    static final long PURGE_STEP_CHARS = 8L << 20;

    /**
     * Removes a batch marked deleting, its rows {@link #PURGE_STEP} a transaction and then the batch; how many rows.
     * In one transaction a large batch's rows all went through H2's undo log (each deleted row is kept there until the
     * commit), and a deletion that failed for good left its batch deleting for ever. Nothing reads a deleting batch, so
     * removing it in steps is seen by nobody; purges of one batch at once (a job and housekeeping) only take turns.
     */
    static long purge(Jdbc jdbc, long batchId) {
        Optional<long[]> range = jdbc.queryOne("SELECT MIN(r.row_no), MAX(r.row_no), MAX(b.row_count), MAX(b.byte_count) FROM ds_rows r"
                + " JOIN ds_batches b ON b.batch_id = r.batch_id WHERE r.batch_id = ? AND b.state = 'deleting'",
                rs -> rs.getObject(1) == null ? null : new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}, batchId);
        long removed = 0;
        if (range.isPresent()) {
            long[] r = range.get();
            long averageChars = Math.max(1, r[3] / Math.max(1, r[2]));
            long step = Math.max(1, Math.min(PURGE_STEP, PURGE_STEP_CHARS / averageChars));
            for (long from = r[0]; from <= r[1]; from += step) {
                removed += jdbc.update("DELETE FROM ds_rows WHERE batch_id = ? AND row_no >= ? AND row_no < ?", batchId, from, from + step);
            }
        }
        jdbc.update("DELETE FROM ds_batches WHERE batch_id = ? AND state = 'deleting'", batchId);
        return removed;
    }

    /** Removes the batches marked deleting among {@code batchIds} ({@link #purge}), telling {@code percent} as each goes; how many rows. */
    static long purge(Jdbc jdbc, List<Long> batchIds, java.util.function.IntConsumer percent) {
        long rows = 0;
        for (int i = 0; i < batchIds.size(); i++) {
            rows += purge(jdbc, batchIds.get(i));
            percent.accept(100 * (i + 1) / batchIds.size());
        }
        return rows;
    }

    /** The batches marked deleting among those {@code where} names (on {@code ds_batches b}). */
    static List<Long> deleting(Jdbc jdbc, SqlWhere where) {
        SqlWhere deleting = where.and("b.state = 'deleting'");
        return jdbc.query("SELECT b.batch_id FROM ds_batches b" + deleting.sql() + " ORDER BY b.batch_id", rs -> rs.getLong(1), deleting.args());
    }

    /** The batches marked deleting of the datasets of API key {@code ownerKey}. */
    static List<Long> deletingOfKey(Jdbc jdbc, String ownerKey) {
        return jdbc.query("SELECT b.batch_id FROM ds_batches b JOIN datasets d ON d.dataset_id = b.dataset_id JOIN ds_projects p"
                + " ON p.project_id = d.project_id JOIN ds_workspaces w ON w.workspace_id = p.workspace_id WHERE w.owner_key = ? AND b.state = 'deleting'"
                + " ORDER BY b.batch_id", rs -> rs.getLong(1), ownerKey);
    }

    /**
     * Marks a dataset deleted and its batches deleting (its record stays, so ids are never reused); a purge removes the
     * batches' rows after the commit ({@link #purge}).
     */
    static void deleteDataset(Connection tx, long datasetId, OffsetDateTime now) throws SQLException {
        // The dataset's row first: a copy job writing into it holds it, so its batch is committed before the batches are marked.
        Jdbc.update(tx, "UPDATE datasets SET status = 'deleted', updated_at = ? WHERE dataset_id = ?", now, datasetId);
        Jdbc.update(tx, "UPDATE ds_batches SET state = 'deleting', deleting_since = ? WHERE dataset_id = ? AND state <> 'deleting'", now, datasetId);
    }

    /** Gives a dataset another name. */
    static void rename(Connection tx, long datasetId, String name, OffsetDateTime now) throws SQLException {
        Jdbc.update(tx, "UPDATE datasets SET name = ?, updated_at = ? WHERE dataset_id = ?", name, now, datasetId);
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static final String BATCH_SELECT = "SELECT b.batch_id, b.dataset_id, b.name, b.state, b.description, b.source, b.row_count,"
            + " b.column_count, b.created_at FROM ds_batches b";

    private static Batch batch(ResultSet rs) throws SQLException {
        return new Batch(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), json(rs.getString(5)), json(rs.getString(6)),
                rs.getLong(7), rs.getInt(8), rs.getObject(9, OffsetDateTime.class));
    }

    static JsonNode json(String text) {
        if (text == null) return null;
        try {
            return ServerJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
