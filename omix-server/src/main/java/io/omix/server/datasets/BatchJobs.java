package io.omix.server.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.HttpProblem;
import io.omix.server.tasks.TaskEngine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The jobs of the dataset batches API: a batch made of another dataset's rows through a column
 * mapping, suspend / restore, and removing deleted batches' rows. Each runs in one transaction but the removals,
 * which take rows away a few thousand a transaction.
 */
final class BatchJobs {
    /** One mapped column: where its values come from, where they go, and the type they must have. */
    record Mapped(int sourcePosition, int destinationPosition, String type, String label) {}

    private static final int MAX_REPORTED = 10;

    private final Platform platform;
    private final DatasetStore store;

    BatchJobs(Platform platform, DatasetStore store) {
        this.platform = platform;
        this.store = store;
    }

    /**
     * Reads a {@code ColumnIdMapping} or {@code ColumnNameMapping} list against both schemas: every
     * column exists, each destination is mapped once, and the destination column has the expected type.
     */
    static List<Mapped> resolve(JsonNode mapping, DatasetStore.Dataset source, DatasetStore.Dataset destination) {
        if (!mapping.isArray() || mapping.isEmpty() || mapping.size() > DatasetCreation.MAX_COLUMNS) {
            throw QuerySyntax.bad("mapping", "must be a list of 1 to " + DatasetCreation.MAX_COLUMNS + " column mappings");
        }
        boolean byId = mapping.get(0).has("source_c_id") || mapping.get(0).has("destination_c_id");
        String from = byId ? "source_c_id" : "source_c_name";
        String to = byId ? "destination_c_id" : "destination_c_name";
        List<Mapped> out = new ArrayList<>();
        Set<Integer> destinations = new HashSet<>();
        for (int i = 0; i < mapping.size(); i++) {
            JsonNode m = mapping.get(i);
            String at = "mapping[" + i + "]";
            if (!m.isObject()) throw QuerySyntax.bad(at, "must be an object");
            boolean itemById = m.has("source_c_id") || m.has("destination_c_id");
            if (itemById != byId) throw QuerySyntax.bad(at, "mix of column ids and column names: use one kind for the whole mapping");
            String sourceColumn = m.path(from).asText("");
            String destinationColumn = m.path(to).asText("");
            if (sourceColumn.isEmpty()) throw QuerySyntax.bad(at + "." + from, "is required");
            if (destinationColumn.isEmpty()) throw QuerySyntax.bad(at + "." + to, "is required");
            String expected = m.path("expected_destination_c_type").asText("");
            if (!Set.of("TEXT", "NUMERIC", "DATE").contains(expected)) {
                throw QuerySyntax.bad(at + ".expected_destination_c_type", "must be TEXT, NUMERIC or DATE");
            }
            int s = position(source, sourceColumn, byId);
            if (s < 0) throw QuerySyntax.bad(at + "." + from, "no column '" + sourceColumn + "' in source dataset " + source.id());
            int d = position(destination, destinationColumn, byId);
            if (d < 0) throw QuerySyntax.bad(at + "." + to, "no column '" + destinationColumn + "' in dataset " + destination.id());
            if (!destinations.add(d)) throw QuerySyntax.bad(at + "." + to, "column '" + destinationColumn + "' is mapped twice");
            String type = expected.toLowerCase(Locale.ROOT);
            String actual = destination.columns().get(d).cType();
            if (!actual.equals(type)) {
                throw QuerySyntax.bad(at + ".expected_destination_c_type", "destination column '" + destinationColumn + "' is " + actual.toUpperCase(Locale.ROOT)
                        + ", not " + expected);
            }
            out.add(new Mapped(s, d, type, sourceColumn));
        }
        return out;
    }

    private static int position(DatasetStore.Dataset d, String column, boolean byId) {
        for (int i = 0; i < d.columns().size(); i++) {
            DatasetStore.Column c = d.columns().get(i);
            if ((byId ? c.cId() : c.cName()).equals(column)) return i;
        }
        return -1;
    }

    /** Checks every source value against its expected type; the rows checked, or a 400 listing the first misfits. */
    long check(DatasetStore.Dataset source, List<Mapped> mapping) {
        return check(source, mapping, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * Checks the first {@code maxRows} rows of {@code source}, and no rows past the first {@code maxChars} characters of
     * stored cells, against the mapping's types (a request checks a bounded part at once; the job checks every row
     * before it copies).
     *
     * @return the rows checked
     */
    long check(DatasetStore.Dataset source, List<Mapped> mapping, long maxRows, long maxChars) {
        List<Map<String, Object>> misfits = new ArrayList<>();
        long[] rows = {0};
        long[] chars = {0};
        // In a transaction: PostgreSQL streams rows by the fetch size only there.
        store.jdbc().inTransaction(c -> {
            scan(c, source.id(), maxRows, false, (rowNumber, cells, stored) -> {
                if ((chars[0] += stored) > maxChars && rowNumber > 1) return false;
                rows[0] = rowNumber;
                for (Mapped m : mapping) {
                    String value = cell(cells, m.sourcePosition());
                    if (!DatasetCreation.conforms(value, m.type())) {
                        Map<String, Object> misfit = new LinkedHashMap<>();
                        misfit.put("row", rowNumber);
                        misfit.put("column", m.label());
                        misfit.put("value", value);
                        misfit.put("expected", m.type().toUpperCase(Locale.ROOT));
                        misfits.add(misfit);
                        if (misfits.size() >= MAX_REPORTED) return false;
                    }
                }
                return true;
            });
            return null;
        });
        if (!misfits.isEmpty()) {
            Map<String, Object> first = misfits.get(0);
            throw new HttpProblem(400, "mapping: source values do not fit the expected types, e.g. row " + first.get("row") + " column '"
                    + first.get("column") + "' value '" + first.get("value") + "' is not " + first.get("expected"), Map.of("misfits", misfits));
        }
        return rows[0];
    }

    /** Copies the mapped columns of every active source row into a new batch (of a new dataset when asked). */
    JsonNode create(TaskEngine.Run run, Connection tx) throws SQLException {
        JsonNode p = run.task().payload();
        DatasetStore.Dataset destination = store.dataset(p.path("project_id").asLong(), p.path("dataset_id").asLong())
                .orElseThrow(() -> new TaskEngine.TaskFailure("the destination dataset no longer exists"));
        DatasetStore.Dataset source = store.dataset(p.path("source_project_id").asLong(), p.path("source_id").asLong())
                .orElseThrow(() -> new TaskEngine.TaskFailure("the source dataset no longer exists"));
        List<Mapped> mapping = new ArrayList<>();
        for (JsonNode m : p.path("mapping")) mapping.add(new Mapped(m.get(0).asInt(), m.get(1).asInt(), m.get(2).asText(), m.get(3).asText()));
        try {
            // Room for a new dataset first: a job queued while there was room fails before it reads its source.
            if (p.hasNonNull("new_ds_name")) DatasetStore.requireDatasetRoom(tx, destination.projectId(), platform.config().quotas());
            check(source, mapping);
        } catch (HttpProblem misfit) {
            throw new TaskEngine.TaskFailure(misfit.detail(), new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(misfit.extra()));
        }
        OffsetDateTime now = platform.now();
        long target = destination.id();
        if (p.hasNonNull("new_ds_name")) {
            try {
                target = DatasetStore.insertDataset(tx, destination.projectId(), p.get("new_ds_name").asText(), "append",
                        JsonNodeFactory.instance.objectNode().put("dataset_id", destination.id()), destination.displayProperties(),
                        p.path("created_by").asText(), now, platform.config().quotas());
            } catch (HttpProblem overQuota) {
                throw new TaskEngine.TaskFailure(overQuota.detail());
            }
            DatasetStore.insertColumns(tx, target, destination.columns());
        }
        ObjectNode batchSource = JsonNodeFactory.instance.objectNode().put("type", "combine").put("dataset_id", source.id())
                .put("dataset_name", source.name());
        int width = destination.columns().size();
        long batchId;
        long rows;
        try (DatasetStore.BatchWriter batch = new DatasetStore.BatchWriter(tx, target, DatasetCreation.batchName("From ", source.name(), ""),
                JsonNodeFactory.instance.objectNode(), batchSource, width, now, platform.config().quotas())) {
            scan(tx, source.id(), Long.MAX_VALUE, true, (rowNumber, cells, stored) -> {
                List<String> out = new ArrayList<>(java.util.Collections.nCopies(width, (String) null));
                for (Mapped m : mapping) {
                    String value = cell(cells, m.sourcePosition());
                    // Checked again as it is copied: a batch of the source restored after the check (on its own connection)
                    // is copied too, and its rows were not checked.
                    if (!DatasetCreation.conforms(value, m.type())) {
                        throw new TaskEngine.TaskFailure("row " + rowNumber + ", column " + m.label() + ": '"
                                + io.omix.server.common.validation.Texts.shortened(value, 100) + "' is not "
                                + m.type().toUpperCase(Locale.ROOT) + " (the source changed while the job ran; nothing was written)");
                    }
                    out.set(m.destinationPosition(), value);
                }
                batch.add(out);
                return true;
            });
            batchId = batch.batchId();
            rows = batch.rows();
        } catch (HttpProblem overQuota) {
            throw new TaskEngine.TaskFailure(overQuota.detail());
        }
        // The datasets written held from here until the job commits (in id order, as a deletion of several takes them; a
        // deletion takes the dataset's row before its batches): a deletion either waits for the copy and removes its batch
        // too, or came first and the job fails, leaving no rows behind. Held only now, not through the copy itself.
        java.util.TreeSet<Long> held = new java.util.TreeSet<>(List.of(target));
        if (p.path("delete_source_ds").asBoolean()) held.add(source.id());
        SqlWhere heldWhere = new SqlWhere().in("dataset_id", new ArrayList<>(held)).and("status <> 'deleted'");
        if (Jdbc.query(tx, "SELECT dataset_id FROM datasets" + heldWhere.sql() + " ORDER BY dataset_id FOR UPDATE", rs -> 1, heldWhere.args()).size() < held.size()) {
            throw new TaskEngine.TaskFailure("the destination or source dataset was deleted");
        }
        DatasetStore.touch(tx, target, now);
        if (p.path("delete_source_ds").asBoolean()) {
            DatasetStore.deleteDataset(tx, source.id(), now);
            purgeLater(platform.tasks(), tx, run.task().owner(), DatasetStore.ownerKeyOf(tx, source.id()), run.task().path());
        }
        return JsonNodeFactory.instance.objectNode().put("dataset_id", target).put("batch_id", batchId).put("row_count", rows)
                .put("source_deleted", p.path("delete_source_ds").asBoolean());
    }

    JsonNode changeState(TaskEngine.Run run, Connection tx) throws SQLException {
        JsonNode p = run.task().payload();
        long dataset = p.path("dataset_id").asLong();
        List<Long> suspend = list(p.path("suspend"));
        List<Long> restore = list(p.path("restore"));
        DatasetStore.touch(tx, dataset, platform.now());   // the dataset's row before its batches, as a deletion takes them
        DatasetStore.setState(tx, dataset, suspend, DatasetStore.SUSPENDED);
        DatasetStore.setState(tx, dataset, restore, DatasetStore.ACTIVE);
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set("suspended", longs(suspend));
        result.set("restored", longs(restore));
        return result;
    }

    /**
     * Removes the batches a deletion of batches named ({@code dataset_id}, {@code ids}) with their rows, in steps of their
     * own ({@link DatasetStore#purge}). The run's transaction writes nothing; a run cut short leaves the rest to its next
     * attempt, or to housekeeping.
     */
    JsonNode purge(TaskEngine.Run run, Connection tx) {
        JsonNode p = run.task().payload();
        List<Long> ids = list(p.path("ids"));
        List<Long> doomed = DatasetStore.deleting(store.jdbc(), new SqlWhere().and("b.dataset_id = ?", p.path("dataset_id").asLong()).in("b.batch_id", ids));
        DatasetStore.purge(store.jdbc(), doomed, run::progress);
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set("deleted", longs(ids));
        return result;
    }

    /**
     * Removes every batch marked deleting of an API key's datasets ({@code owner_key}): what deleted datasets left,
     * looking again once done for what deletions committed meanwhile (a few passes at most; housekeeping takes the rest).
     */
    JsonNode purgeKey(TaskEngine.Run run, Connection tx) {
        String ownerKey = run.task().payload().path("owner_key").asText();
        long rows = 0;
        for (int pass = 0; pass < 5; pass++) {
            List<Long> doomed = DatasetStore.deletingOfKey(store.jdbc(), ownerKey);
            if (doomed.isEmpty()) break;
            rows += DatasetStore.purge(store.jdbc(), doomed, run::progress);
        }
        return JsonNodeFactory.instance.objectNode().put("rows_removed", rows);
    }

    /**
     * Queues, in {@code tx} that deleted datasets of API key {@code ownerKey} ({@link DatasetStore#deleteDataset}), the
     * removal of their rows under {@code owner}, unless one waits to run already (it will find these too): deletions are
     * answered at once and may come faster than rows are removed, and housekeeping removes what a purge left.
     */
    static void purgeLater(TaskEngine tasks, Connection tx, String owner, String ownerKey, String path) throws SQLException {
        // The waiting one held until tx ends: a worker claiming it meanwhile waits, and then sees this deletion's marks.
        // (An operator deletes for many keys under one owner: one waits per key.)
        boolean waiting = Jdbc.query(tx, "SELECT payload FROM tasks WHERE owner = ? AND kind = ? AND status = 'PENDING' ORDER BY job_id FOR UPDATE",
                rs -> rs.getString(1), owner, DatasetsCapability.PURGE_KEY_JOB).stream()
                .anyMatch(payload -> ownerKey.equals(DatasetStore.json(payload).path("owner_key").asText()));
        if (!waiting) {
            tasks.submitFollowUp(tx, DatasetsCapability.PURGE_KEY_JOB, owner, JsonNodeFactory.instance.objectNode().put("owner_key", ownerKey), path);
        }
    }

    @FunctionalInterface
    interface RowSink {
        /** {@code storedChars}: the row's length as stored. */
        boolean accept(long rowNumber, JsonNode cells, int storedChars) throws SQLException;
    }

    /**
     * The first {@code maxRows} rows of a dataset's active batches, in order, streamed (in the caller's transaction): a
     * batch of large rows {@link DatasetStore#ROWS_FETCHED} rows a statement, each after the last one read, a small one with
     * one statement ({@link DatasetStore#rowsAStatement}); {@code whole}: a batch whose rows were removed meanwhile fails the
     * read ({@link TaskEngine.TaskFailure}) instead of ending it. One statement for all of them was read whole by the embedded
     * store before its first row (it reads results lazily only when told to): a check of 100,000 rows of up to 1 MiB each.
     */
    private static void scan(Connection c, long datasetId, long maxRows, boolean whole, RowSink sink) throws SQLException {
        // The batches active now, each to the rows it held when it was written: a copy into the dataset itself writes a
        // batch of its own (active, its count 0 until it closes) that the scan must not read back. A batch suspended or
        // deleted while the scan goes on is read whole all the same, as one statement over them all read it.
        List<long[]> batches = Jdbc.query(c, "SELECT batch_id, row_count, byte_count FROM ds_batches WHERE dataset_id = ? AND state = 'active' ORDER BY batch_id",
                rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}, datasetId);
        try (PreparedStatement ps = c.prepareStatement(ROWS_WRITTEN)) {
            long n = 0;
            for (long[] batch : batches) {
                long after = 0;
                while (after < batch[1]) {
                    if (n >= maxRows) return;
                    Jdbc.bind(ps, batch[0], after, batch[1], DatasetStore.rowsAStatement(batch[2], maxRows - n));
                    int read = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            read++;
                            after = rs.getLong(1);
                            String stored = rs.getString(2);
                            if (!sink.accept(++n, DatasetStore.json(stored), stored.length())) return;
                        }
                    }
                    if (read == 0) {
                        // Rows removed meanwhile (a batch deleted and purged): a check reads what is left, a copy is not made
                        // of part of a batch (one whose rows were all gone before the first was read is left out whole).
                        if (whole && after > 0) throw new TaskEngine.TaskFailure("a batch of the source was deleted while it was copied; nothing was written");
                        break;
                    }
                }
            }
        }
    }

    /** A batch's rows after a row number and up to its count ({@code batch_id, after, row_count, limit}), in key order. */
    static final String ROWS_WRITTEN = "SELECT row_no, cells FROM ds_rows WHERE batch_id = ? AND row_no > ? AND row_no <= ? ORDER BY batch_id, row_no LIMIT ?";

    private static String cell(JsonNode cells, int position) {
        JsonNode v = cells.path(position);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    static ArrayNode toJson(List<Mapped> mapping) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Mapped m : mapping) a.addArray().add(m.sourcePosition()).add(m.destinationPosition()).add(m.type()).add(m.label());
        return a;
    }

    static ArrayNode longs(List<Long> ids) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        ids.forEach(a::add);
        return a;
    }

    private static List<Long> list(JsonNode array) {
        List<Long> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asLong());
        return out;
    }
}
