package io.omix.server.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Platform;
import io.omix.server.common.auth.PendingNonce;
import io.omix.server.common.db.GroupCommit;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Entities, data elements and time-stamped records, by namespace. */
public final class StreamStore {
    /** The namespace of records written and read through the open platform. */
    public static final String OPEN_PLATFORM = "OPEN_PLATFORM";

    public record DataElement(String id, String name, String description, String sourceDomain, String sourceId) {}

    /** A stored record; its data as stored (JSON text): answers carry it as it is, without parsing it again. */
    public record Record(String streamId, String namespace, String entityId, DataElement element, OffsetDateTime generateTime,
                         String mask, String dataJson, OffsetDateTime createTime, long dupSeq) {
        /** The record's data, parsed (each call parses it: for the readers that look inside). */
        public JsonNode data() {
            try {
                return ServerJson.MAPPER.readTree(dataJson);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("corrupt stream_data of " + streamId, e);
            }
        }
    }

    /** A record to write; {@code problem} is set when the item was refused before writing. */
    public record NewRecord(String entityId, String dataElementId, PartialTime time, JsonNode data) {}

    public record Written(String streamId, String problem, OffsetDateTime generateTime) {}

    /** Keys taken from the sequence at once; V14 steps stream_keys by as much. */
    private static final int KEY_BLOCK = 1024;

    private final Platform platform;
    private final Jdbc jdbc;
    private final StreamIds ids;
    // Series and data elements are remembered once read: a series goes only with its entity's erasure, and a write
    // holds the series it uses in its transaction (holdSeries), forgetting and looking again for one that went; a read
    // trusts a remembered series a few seconds (RememberedSeries), and an empty page looks again at once.
    private final Map<String, RememberedSeries> seriesIds = new ConcurrentHashMap<>();

    /**
     * A series id and when it was read. Reads trust it for {@link #SERIES_TRUSTED_NANOS} only: an erasure on another
     * server, then a restore that made the entity anew, leaves a remembered id that reads nothing (ids are never used
     * again), so a read over several entities could miss one entity's records for at most that long.
     */
    private record RememberedSeries(long id, long readAtNanos) {}

    private static final long SERIES_TRUSTED_NANOS = 5_000_000_000L;
    /** The most series a server remembers (a few MB); beyond, it forgets them all and reads them again as asked. */
    static final int MAX_REMEMBERED_SERIES = 100_000;
    private final Map<String, DataElement> elements = new ConcurrentHashMap<>();
    private final Object keyLock = new Object();
    private final io.micrometer.core.instrument.Counter writtenAlone;
    private long nextKey;
    private int keysLeft;

    public StreamStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
        this.ids = new StreamIds(platform.masterKey());
        this.writtenAlone = io.micrometer.core.instrument.Counter.builder("omix.streams.written_alone")
                .description("stream writes refused in their commit group and written on their own (a nonce used before, "
                        + "a row an erasure held, an entity erased meanwhile)").register(platform.metrics());
    }

    public Optional<DataElement> element(String id) {
        if (id == null || id.length() > 36) return Optional.empty();
        DataElement known = elements.get(id);
        if (known != null) return Optional.of(known);
        Optional<DataElement> stored = jdbc.queryOne("SELECT * FROM data_elements WHERE data_element_id = ?", StreamStore::element, id);
        stored.ifPresent(e -> elements.put(id, e));
        return stored;
    }

    /** An operator's addition to the catalog; the id is new (time-ordered UUID). */
    public DataElement createElement(String name, String description, String sourceDomain, String sourceId) {
        if (name == null || name.isBlank() || name.length() > 200) throw new IllegalArgumentException("name must be 1-200 characters");
        String id = io.omix.server.common.db.TimeOrderedIds.next().toString();
        jdbc.update("INSERT INTO data_elements (data_element_id, name, description, source_domain, source_id) VALUES (?,?,?,?,?)",
                id, name, description == null ? "" : description, sourceDomain, sourceId);
        return element(id).orElseThrow();
    }

    /** Adds {@code e} to the catalog under its own id unless an element has that id (restoring an export). */
    public DataElement ensureElement(DataElement e) {
        if (element(e.id()).isEmpty()) {
            jdbc.update("INSERT INTO data_elements (data_element_id, name, description, source_domain, source_id) VALUES (?,?,?,?,?)",
                    e.id(), e.name(), e.description() == null ? "" : e.description(), e.sourceDomain(), e.sourceId());
        }
        return element(e.id()).orElseThrow();
    }

    /** Receives records one at a time while a query reads them. */
    @FunctionalInterface
    public interface RecordVisitor {
        void visit(Record record) throws java.io.IOException;
    }

    /**
     * Every record of one entity, of every namespace and element, series by series in time order,
     * read in {@code c} without holding them all (exports): {@link #EXPORT_READ} records a statement, each
     * after the last one read. One statement for them all was read whole by the embedded store before its
     * first row (it reads results lazily only when told to): a person's records, up to 256 KiB each, at once.
     */
    public void forEachRecordOf(java.sql.Connection c, String entityId, RecordVisitor visitor) throws SQLException, java.io.IOException {
        List<Long> series = Jdbc.query(c, "SELECT series_id FROM stream_series WHERE entity_id = ? ORDER BY series_id", rs -> rs.getLong(1), entityId);
        for (long seriesId : series) {
            Jdbc.inPieces(c, EXPORT_FIRST, EXPORT_NEXT, EXPORT_READ, new Object[] {seriesId},
                    rs -> new Object[] {rs.getObject("generate_time", OffsetDateTime.class), rs.getLong("dup_seq")}, rs -> visitor.visit(record(rs)));
        }
    }

    /** Records an export reads a statement: 100 of at most 256 KiB each. */
    static final int EXPORT_READ = 100;
    private static final String EXPORT_SELECT = "SELECT s.*, r.namespace, r.entity_id, e.data_element_id, e.name, e.description, e.source_domain,"
            + " e.source_id FROM stream_records s JOIN stream_series r ON r.series_id = s.series_id JOIN data_elements e"
            + " ON e.data_element_id = r.data_element_id WHERE s.series_id = ?";
    /** Ordered by the whole index: only then does H2 walk it in order and stop at the limit. */
    private static final String EXPORT_ORDER = " ORDER BY s.series_id, s.generate_time, s.dup_seq LIMIT " + EXPORT_READ;
    /** A series' first records ({@code series_id}), and those after a record ({@code series_id, generate_time, dup_seq}). */
    static final String EXPORT_FIRST = EXPORT_SELECT + EXPORT_ORDER;
    static final String EXPORT_NEXT = EXPORT_SELECT + " AND (s.generate_time, s.dup_seq) > (?, ?)" + EXPORT_ORDER;

    public List<DataElement> elements() {
        return jdbc.query("SELECT * FROM data_elements ORDER BY name", StreamStore::element);
    }

    private static DataElement element(ResultSet rs) throws SQLException {
        return new DataElement(rs.getString("data_element_id"), rs.getString("name"), rs.getString("description"),
                rs.getString("source_domain"), rs.getString("source_id"));
    }

    /** The entity behind a sample, created on first use; the same id every time. */
    public String entityOf(String biosampleId) {
        Optional<String> known = jdbc.queryOne("SELECT entity_id FROM sample_entities WHERE biosample_id = ?", rs -> rs.getString(1), biosampleId);
        if (known.isPresent()) return known.get();
        return jdbc.inTransaction(c -> {
            // The sample held while its entity is made, in the order an erasure takes them: an erasure in flight either
            // came first (the sample is gone: not one the caller has) or waits and removes the entity too.
            if (Jdbc.query(c, "SELECT 1 FROM samples WHERE biosample_id = ?" + platform.database().holdRows(), rs -> 1, biosampleId).isEmpty()) {
                throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.NOT_OWN_SAMPLE);
            }
            java.sql.Savepoint before = c.setSavepoint();
            try {
                Jdbc.update(c, "INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?, ?)", biosampleId, UUID.randomUUID().toString());
                c.releaseSavepoint(before);
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) throw e;
                c.rollback(before); // another request bound it at the same moment: use theirs
            }
            return Jdbc.query(c, "SELECT entity_id FROM sample_entities WHERE biosample_id = ?", rs -> rs.getString(1), biosampleId).get(0);
        });
    }

    public Optional<String> sampleOf(String entityId) {
        if (entityId == null || entityId.length() > 36) return Optional.empty();
        return jdbc.queryOne("SELECT biosample_id FROM sample_entities WHERE entity_id = ?", rs -> rs.getString(1), entityId);
    }

    /**
     * Writes records in one transaction: all the acknowledged ones are stored, or none. A record of
     * an entity, element and time that exists is refused (its {@code problem} says so) unless
     * {@code duplicateEnabled}; the others are written.
     */
    public List<Written> write(String namespace, List<NewRecord> records, boolean duplicateEnabled) {
        return write(namespace, records, duplicateEnabled, null);
    }

    /** {@link #write(String, List, boolean)}, recording a signed request's {@code nonce} (or null) in the same transaction. */
    public List<Written> write(String namespace, List<NewRecord> records, boolean duplicateEnabled, PendingNonce nonce) {
        long[] series = new long[records.size()];
        for (int i = 0; i < series.length; i++) series[i] = seriesOf(namespace, records.get(i).entityId(), records.get(i).dataElementId());
        // Fast path: insert everything at once, together with the writes of concurrent requests (one
        // commit for all of them), the unique index leaving duplicates out (insertAll); this request is
        // checked record by record only when its group could not take it.
        Optional<List<Written>> grouped = groupCommit.submit(new Pending(namespace, series, records, duplicateEnabled, nonce));
        if (grouped.isPresent()) return grouped.get();
        writtenAlone.increment();
        // Refused in its group (a nonce used before, a row an erasure held, a series gone): this request alone, record by record,
        // its nonce still in the same transaction (first, so that a replay is refused before anything is written,
        // and so that a commit whose acknowledgement is lost holds it: the request is then answered 40103, not retried).
        return writeChecked(namespace, series, records, duplicateEnabled, nonce);
    }

    private List<Written> writeChecked(String namespace, long[] series, List<NewRecord> records, boolean duplicateEnabled, PendingNonce nonce) {
        for (int attempt = 0; ; attempt++) {
            try {
                List<Long> seriesList = new ArrayList<>();
                for (long id : series) seriesList.add(id);
                List<Written> done = jdbc.inTransaction(c -> {
                    holdSeries(c, records, seriesList, false);
                    if (nonce != null) {
                        try {
                            nonce.insertWith(c);
                        } catch (SQLException e) {
                            if (Jdbc.isIntegrityViolation(e)) {
                                throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.REQUEST_REPLAYED);
                            }
                            throw e;
                        }
                    }
                    List<Written> written = writeAll(c, series, records, duplicateEnabled);
                    List<io.omix.server.webhooks.WebhookEvents.SeriesWrite> writes = new ArrayList<>();
                    collect(writes, namespace, series, records, written);
                    announce(c, writes);
                    return written;
                });
                if (nonce != null) nonce.written();
                return done;
            } catch (SeriesMissing gone) {
                if (gone.entityGone || attempt >= 2) {
                    throw entityGone();
                }
                // A series this server remembered was removed (an erasure, then a restore made the entity anew): look again.
                for (int i = 0; i < series.length; i++) {
                    NewRecord r = records.get(i);
                    seriesIds.remove(seriesName(namespace, r.entityId(), r.dataElementId()));
                    series[i] = seriesOf(namespace, r.entityId(), r.dataElementId());
                }
            } catch (Jdbc.DataAccessException e) {
                // A concurrent writer stored one of these keys between our check and our insert, or a deadlock with an
                // erasure was broken: check again.
                if (attempt >= 2 || !(e.isIntegrityViolation() || Jdbc.isLockConflict(e))) throw e;
            }
        }
    }

    private record Pending(String namespace, long[] series, List<NewRecord> records, boolean duplicateEnabled, PendingNonce nonce) {}

    private final GroupCommit<Pending, List<Written>> groupCommit = new GroupCommit<>(this::insertGroup);

    /**
     * Inserts a group of requests in one transaction (duplicate records are answered inside it: insertAll). When a unique
     * key still refuses the group (a nonce used before: copies of one signed request racing), the group is written again
     * with each request behind its own savepoint, and only the requests refused there are answered null (each then
     * writes alone): one request must not send every request of its group down the slow path. Empty when the group
     * cannot be written at all (a series gone, a row held by an erasure): each request alone.
     */
    private Optional<List<List<Written>>> insertGroup(List<Pending> group) {
        try {
            return Optional.of(insertGroup(group, false));
        } catch (SeriesMissing gone) {
            return Optional.empty(); // each request alone, where the one whose series or entity went is answered
        } catch (Jdbc.DataAccessException e) {
            if (Jdbc.isLockConflict(e)) return Optional.empty(); // a row held by an erasure (NOWAIT) or a deadlock: each request alone
            if (!e.isIntegrityViolation()) throw e;
        }
        if (group.size() == 1) return Optional.empty();
        try {
            return Optional.of(insertGroup(group, true));
        } catch (SeriesMissing gone) {
            return Optional.empty();
        } catch (Jdbc.DataAccessException e) {
            if (!e.isIntegrityViolation() && !Jdbc.isLockConflict(e)) throw e;
            return Optional.empty();
        }
    }

    /** One attempt at a group; {@code eachAlone}: every request behind a savepoint, a refused one answered null. */
    private List<List<Written>> insertGroup(List<Pending> group, boolean eachAlone) {
        List<List<Written>> answers = jdbc.inTransaction(c -> {
            List<NewRecord> allRecords = new ArrayList<>();
            List<Long> allSeries = new ArrayList<>();
            for (Pending p : group) {
                allRecords.addAll(p.records());
                for (long id : p.series()) allSeries.add(id);
            }
            List<List<Written>> out = new ArrayList<>(group.size());
            List<io.omix.server.webhooks.WebhookEvents.SeriesWrite> writes = new ArrayList<>();
            if (!eachAlone) {
                List<PendingNonce> nonces = new ArrayList<>();
                for (Pending p : group) {
                    if (p.nonce() != null) nonces.add(p.nonce());
                }
                nonces.sort(java.util.Comparator.comparing(PendingNonce::sortKey));
                for (PendingNonce n : nonces) n.insertWith(c);
                holdSeries(c, allRecords, allSeries, true);
                for (Pending p : group) {
                    List<Written> written = insertAll(c, p.series(), p.records(), p.duplicateEnabled());
                    collect(writes, p.namespace(), p.series(), p.records(), written);
                    out.add(written);
                }
            } else {
                // Each request's nonce goes in with its records, behind its savepoint: a nonce used before refuses its own
                // request only. In the nonces' order, as the first attempt took them: two groups never wait on each other.
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) order.add(i);
                order.sort(java.util.Comparator.comparing((Integer i) -> group.get(i).nonce() == null)
                        .thenComparing(i -> group.get(i).nonce() == null ? "" : group.get(i).nonce().sortKey()));
                List<List<Written>> answered = new ArrayList<>(java.util.Collections.nCopies(group.size(), (List<Written>) null));
                holdSeries(c, allRecords, allSeries, true);
                for (int i : order) {
                    Pending p = group.get(i);
                    java.sql.Savepoint before = c.setSavepoint();
                    try {
                        if (p.nonce() != null) p.nonce().insertWith(c);
                        List<Written> written = insertAll(c, p.series(), p.records(), p.duplicateEnabled());
                        c.releaseSavepoint(before);
                        answered.set(i, written);
                    } catch (SQLException refused) {
                        if (!Jdbc.isIntegrityViolation(refused)) throw refused;
                        c.rollback(before);
                    }
                }
                for (int i = 0; i < group.size(); i++) {
                    Pending p = group.get(i);
                    if (answered.get(i) != null) collect(writes, p.namespace(), p.series(), p.records(), answered.get(i));
                    out.add(answered.get(i));
                }
            }
            announce(c, writes); // once for the whole group: its rows in one order
            return out;
        });
        for (int i = 0; i < group.size(); i++) {
            if (answers.get(i) != null && group.get(i).nonce() != null) group.get(i).nonce().written();
        }
        return answers;
    }

    /** A series or entity a write was about to use is gone (erased, or a series this server remembered was replaced). */
    private static final class SeriesMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean entityGone;

        SeriesMissing(boolean entityGone) {
            super(null, null, false, false);
            this.entityGone = entityGone;
        }
    }

    /**
     * Holds the entities and series a write uses, in the write's transaction, in the order an erasure takes them
     * (Erasure.eraseSample: the entity, then its series): an erasure in flight either waits for the write and then
     * removes its records too, or comes first and the write sees the rows gone. Without it a write racing an
     * erasure (or using a series this server remembered after an erasure and a restore made it anew) stored records
     * in a series nothing lists or erases any more.
     */
    private void holdSeries(Connection c, List<NewRecord> records, List<Long> series, boolean noWait) throws SQLException {
        // A group never waits on a row an erasure holds (the whole server's writes queue behind the group's leader): it
        // gives up at once and its requests go on one by one, where only the one about that sample waits.
        String lock = platform.database().holdRows() + (noWait ? " NOWAIT" : "");
        java.util.TreeSet<String> entities = new java.util.TreeSet<>();
        for (NewRecord r : records) entities.add(r.entityId());
        java.util.TreeSet<Long> held = new java.util.TreeSet<>(series);
        String entityMarks = String.join(",", java.util.Collections.nCopies(entities.size(), "?"));
        if (Jdbc.query(c, "SELECT entity_id FROM sample_entities WHERE entity_id IN (" + entityMarks + ") ORDER BY entity_id" + lock,
                rs -> rs.getString(1), entities.toArray()).size() != entities.size()) {
            throw new SeriesMissing(true);
        }
        String seriesMarks = String.join(",", java.util.Collections.nCopies(held.size(), "?"));
        if (Jdbc.query(c, "SELECT series_id FROM stream_series WHERE series_id IN (" + seriesMarks + ") ORDER BY series_id" + lock,
                rs -> rs.getLong(1), held.toArray()).size() != held.size()) {
            throw new SeriesMissing(false);
        }
    }


    /** The records of one request that were written, for stream.records_written. */
    private static void collect(List<io.omix.server.webhooks.WebhookEvents.SeriesWrite> into, String namespace, long[] series, List<NewRecord> records,
                                List<Written> written) {
        String privateNamespace = OPEN_PLATFORM.equals(namespace) ? null : namespace;
        for (int i = 0; i < written.size(); i++) {
            if (written.get(i).problem() != null) continue;
            into.add(new io.omix.server.webhooks.WebhookEvents.SeriesWrite(series[i], records.get(i).entityId(), records.get(i).dataElementId(),
                    privateNamespace, 1));
        }
    }

    /** Queues stream.records_written for the applications listening, in the write's own transaction. */
    private void announce(Connection c, List<io.omix.server.webhooks.WebhookEvents.SeriesWrite> writes) throws SQLException {
        if (!writes.isEmpty()) {
            io.omix.server.webhooks.WebhookEvents.recordsWritten(c, platform.now(), platform.config().webhooks().coalesceWindow(), writes);
        }
    }

    /** The number of a (namespace, entity, element) series, created on first use; the same number every time. */
    private long seriesOf(String namespace, String entityId, String elementId) {
        Optional<Long> existing = existingSeries(namespace, entityId, elementId);
        if (existing.isPresent()) return existing.get();
        try {
            // The entity held first, as an erasure takes it before its series: an erasure in flight either waits and removes the
            // series made here, or came first and nothing is made. Made beside it, the series outlived the erasure, naming the
            // kind of measurement the erased person had.
            boolean made = jdbc.inTransaction(c -> {
                if (Jdbc.query(c, "SELECT 1 FROM sample_entities WHERE entity_id = ?" + platform.database().holdRows(), rs -> 1, entityId).isEmpty()) {
                    return false;
                }
                Jdbc.update(c, "INSERT INTO stream_series (namespace, entity_id, data_element_id) VALUES (?, ?, ?)", namespace, entityId, elementId);
                return true;
            });
            if (!made) throw entityGone();
        } catch (Jdbc.DataAccessException raced) {
            if (!raced.isIntegrityViolation()) throw raced;
            // another request created it at the same moment: use theirs
        }
        return existingSeries(namespace, entityId, elementId).orElseThrow();
    }

    private static io.omix.server.common.http.ApiException entityGone() {
        return io.omix.server.common.http.ApiException.invalidParam("fundamental_entity_id", "no such entity (its sample was erased)");
    }

    /** What a series is remembered by. */
    private static String seriesName(String namespace, String entityId, String elementId) {
        return namespace + '\n' + entityId + '\n' + elementId;
    }

    /** A series, if it was ever written to; reading never creates one. */
    private Optional<Long> existingSeries(String namespace, String entityId, String elementId) {
        String name = seriesName(namespace, entityId, elementId);
        RememberedSeries known = seriesIds.get(name);
        if (known != null && System.nanoTime() - known.readAtNanos() < SERIES_TRUSTED_NANOS) return Optional.of(known.id());
        Optional<Long> stored = jdbc.queryOne("SELECT series_id FROM stream_series WHERE namespace = ? AND entity_id = ? AND data_element_id = ?",
                rs -> rs.getLong(1), namespace, entityId, elementId);
        if (stored.isPresent()) {
            // Bounded: a caller binding entities by the million would otherwise fill the heap with series it reads once.
            if (seriesIds.size() >= MAX_REMEMBERED_SERIES) {
                long now = System.nanoTime();
                seriesIds.values().removeIf(old -> now - old.readAtNanos() >= SERIES_TRUSTED_NANOS);   // of no use already
                if (seriesIds.size() >= MAX_REMEMBERED_SERIES) seriesIds.clear();
            }
            seriesIds.put(name, new RememberedSeries(stored.get(), System.nanoTime()));
        } else {
            seriesIds.remove(name);
        }
        return stored;
    }

    /**
     * The next record key. Keys come in blocks of {@link #KEY_BLOCK} from one nextval (the sequence
     * steps by as much), so servers sharing a database never hand out the same key.
     */
    private long nextKey(Connection c) throws SQLException {
        synchronized (keyLock) {
            if (keysLeft == 0) {
                nextKey = Jdbc.query(c, "SELECT nextval('stream_keys')", rs -> rs.getLong(1)).get(0);
                keysLeft = KEY_BLOCK;
            }
            keysLeft--;
            return nextKey++;
        }
    }

    private static final String INSERT = "INSERT INTO stream_records (stream_key, series_id, generate_time, generate_offset, generate_mask, "
            + "stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,?)";

    /**
     * Inserts a request's records. Without duplicate_enabled, a record whose entity, element and time are stored (or
     * written earlier in the same transaction) is left out by the index and answered as a duplicate: a request
     * repeating records costs its group nothing (the group's transaction failed whole before, and every request of
     * it was written again on its own).
     */
    private List<Written> insertAll(Connection c, long[] series, List<NewRecord> records, boolean duplicateEnabled) throws SQLException {
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime now = platform.now();
        List<Written> out = new ArrayList<>(records.size());
        long[] keys = new long[series.length];
        try (PreparedStatement insert = c.prepareStatement(duplicateEnabled ? INSERT : INSERT + " ON CONFLICT DO NOTHING")) {
            for (int i = 0; i < series.length; i++) {
                NewRecord r = records.get(i);
                OffsetDateTime time = r.time().resolve(zone);
                long key = nextKey(c);
                keys[i] = key;
                Jdbc.bind(insert, key, series[i], time, time.getOffset().getTotalSeconds(), r.time().mask(),
                        json(r.data()), now, duplicateEnabled ? ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE) : 0L);
                insert.addBatch();
                out.add(new Written(ids.idOf(key), null, time));
            }
            int[] counts = insert.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                long key = keys[i];
                boolean written = counts[i] == 1
                        // A driver that does not say row by row (PostgreSQL's with reWriteBatchedInserts: SUCCESS_NO_INFO): looked up.
                        || counts[i] != 0 && !Jdbc.query(c, "SELECT 1 FROM stream_records WHERE stream_key = ?", rs -> 1, key).isEmpty();
                if (!written) out.set(i, new Written(null, DUPLICATE, out.get(i).generateTime()));
            }
        }
        return out;
    }

    private static final String DUPLICATE = "a record of this entity, data element and time exists (duplicate_enabled=true writes it again)";

    private List<Written> writeAll(Connection c, long[] series, List<NewRecord> records, boolean duplicateEnabled) throws SQLException {
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime now = platform.now();
        List<Written> out = new ArrayList<>(records.size());
        java.util.Set<String> inThisCall = new java.util.HashSet<>();
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM stream_records WHERE series_id = ? AND generate_time = ? AND dup_seq = 0");
             PreparedStatement insert = c.prepareStatement(INSERT)) {
            int pending = 0;
            for (int i = 0; i < series.length; i++) {
                NewRecord r = records.get(i);
                OffsetDateTime time = r.time().resolve(zone);
                long dupSeq = 0;
                if (duplicateEnabled) {
                    dupSeq = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
                } else {
                    Jdbc.bind(exists, series[i], time);
                    boolean taken;
                    try (ResultSet rs = exists.executeQuery()) {
                        taken = rs.next();
                    }
                    if (taken || !inThisCall.add(series[i] + "|" + time.toInstant())) {
                        out.add(new Written(null, DUPLICATE, time));
                        continue;
                    }
                }
                long key = nextKey(c);
                Jdbc.bind(insert, key, series[i], time, time.getOffset().getTotalSeconds(), r.time().mask(), json(r.data()), now, dupSeq);
                insert.addBatch();
                pending++;
                out.add(new Written(ids.idOf(key), null, time));
            }
            if (pending > 0) insert.executeBatch();
        }
        return out;
    }

    private static String json(JsonNode node) {
        try {
            return ServerJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Record> find(String streamId) {
        if (streamId == null || streamId.length() > 36) return Optional.empty();
        String select = "SELECT s.*, r.namespace, r.entity_id, e.data_element_id, e.name, e.description, e.source_domain, e.source_id "
                + "FROM stream_records s JOIN stream_series r ON r.series_id = s.series_id "
                + "JOIN data_elements e ON e.data_element_id = r.data_element_id WHERE s.stream_key = ";
        java.util.OptionalLong key = ids.keyOf(streamId);
        if (key.isPresent()) return jdbc.queryOne(select + "?", this::record, key.getAsLong());
        // An id given before V14: kept in stream_legacy_ids.
        return jdbc.queryOne(select + "(SELECT stream_key FROM stream_legacy_ids WHERE stream_id = ?)", this::record, streamId);
    }

    /**
     * Where a page ended: the last record's time, series and tie-breaker. Records of several series are in time, then
     * series order: two of one instant in different series are both read, one page after the other. A negative
     * {@code seriesId} (a page token from before the series was named in it) compares by time and tie-breaker alone.
     */
    public record Cursor(OffsetDateTime time, long seriesId, long dupSeq) {}

    /** The cursor just after {@code r}, one of the records {@link #range} read. */
    public Cursor cursorAfter(Record r) {
        return new Cursor(r.generateTime(), existingSeries(r.namespace(), r.entityId(), r.element().id()).orElse(-1L), r.dupSeq());
    }

    /**
     * One entity's (or several entities') records of one element in a closed time interval, in time
     * order, after {@code cursor}: keyset paging, so pages stay right while new records arrive.
     */
    public List<Record> range(String namespace, List<String> entityIds, String elementId, OffsetDateTime from, OffsetDateTime to,
                              boolean ascending, Cursor cursor, int limit) {
        List<Record> page = rangeOnce(namespace, entityIds, elementId, from, to, ascending, cursor, limit);
        // A remembered series may have been removed (an erasure, then a restore made the entity anew): its id then reads
        // nothing. Series ids are never used again, so only an empty page needs the check.
        if (page.isEmpty() && forgetRemovedSeries(namespace, entityIds, elementId)) {
            return rangeOnce(namespace, entityIds, elementId, from, to, ascending, cursor, limit);
        }
        return page;
    }

    /** Forgets the remembered series of these entities and element that are no longer stored; whether there were any. */
    private boolean forgetRemovedSeries(String namespace, List<String> entityIds, String elementId) {
        Map<Long, String> remembered = new HashMap<>();
        for (String entityId : entityIds) {
            String name = seriesName(namespace, entityId, elementId);
            RememberedSeries known = seriesIds.get(name);
            if (known != null) remembered.put(known.id(), name);
        }
        if (remembered.isEmpty()) return false;
        SqlWhere where = new SqlWhere().in("series_id", new ArrayList<>(remembered.keySet()));
        for (Long stored : jdbc.query("SELECT series_id FROM stream_series" + where.sql(), rs -> rs.getLong(1), where.args())) remembered.remove(stored);
        remembered.values().forEach(seriesIds::remove);
        return !remembered.isEmpty();
    }

    private List<Record> rangeOnce(String namespace, List<String> entityIds, String elementId, OffsetDateTime from, OffsetDateTime to,
                                   boolean ascending, Cursor cursor, int limit) {
        // The series are resolved first (they are few and cached), so the query reads one index range
        // of stream_records and nothing else; the element and the entities are known here.
        Optional<DataElement> element = element(elementId);
        if (element.isEmpty()) return List.of();
        Map<Long, String> entityOfSeries = new HashMap<>();
        for (String entityId : entityIds) existingSeries(namespace, entityId, elementId).ifPresent(id -> entityOfSeries.put(id, entityId));
        if (entityOfSeries.isEmpty()) return List.of();
        java.util.function.Consumer<SqlWhere> times = w -> {
            if (from != null) w.and("generate_time >= ?", from);
            if (to != null) w.and("generate_time <= ?", to);
        };
        return ordered(new ArrayList<>(entityOfSeries.keySet()), times, cursor, ascending, limit,
                rs -> record(rs, namespace, entityOfSeries.get(rs.getLong("series_id")), element.get()));
    }

    /**
     * The most records matching a read of several series that are sorted by the database in one statement; beyond, the
     * series are merged here, each read along its index (before, a read over two series of a million records each sorted
     * them all for every page: a FHIR $stats over them, a page of fifty at a time, read rows by the ten billion).
     */
    static final int SORTED_AT_ONCE = 20_000;
    /** Reads of at most this many series are always merged here: a few indexed statements, no count first. */
    static final int ALWAYS_MERGED = 8;
    /**
     * Reads of more series than this are sorted by the database whatever they match (a statement per series would cost
     * more than the sort; a FHIR search over all of a client's people's Observations is one).
     */
    static final int MERGED_AT_MOST = 256;
    /** {@link #SORTED_AT_ONCE} and {@link #ALWAYS_MERGED}; changed in tests, to read through one way or the other. */
    int sortedAtOnce = SORTED_AT_ONCE;
    int alwaysMerged = ALWAYS_MERGED;
    /** The fewest records a merge reads of a series at a time (fewer in tests, to read on within a page). */
    int leastRead = 16;

    /**
     * The records of {@code seriesIds} that {@code conditions} (on {@code generate_time}) select, after {@code cursor} (its
     * series negative: after its time and tie-breaker in every series), in time order, then series, then tie-breaker, at
     * most {@code limit}. One series is read along its index and stops at the limit. A few ({@link #ALWAYS_MERGED}) are
     * merged here from each series' index; up to {@link #MERGED_AT_MOST} too when more than {@link #SORTED_AT_ONCE} records
     * match; else the database sorts the matching records' keys (not their data: on the embedded store the whole sorted
     * result is held in memory, and a record's data is up to 256 KiB). The page's records are read by key after.
     */
    private <T> List<T> ordered(List<Long> seriesIds, java.util.function.Consumer<SqlWhere> conditions, Cursor cursor, boolean ascending, int limit,
                                Jdbc.RowMapper<T> mapper) {
        String dir = ascending ? "ASC" : "DESC";
        String cmp = ascending ? ">" : "<";
        if (seriesIds.size() == 1) {
            SqlWhere where = new SqlWhere().and("series_id = ?", seriesIds.get(0));
            conditions.accept(where);
            // A row-value comparison: both databases turn it into one index range from the cursor on.
            if (cursor != null) where.and("(generate_time, dup_seq) " + cmp + " (?, ?)", cursor.time(), cursor.dupSeq());
            return jdbc.query("SELECT * FROM stream_records" + where.sql() + alongIndex(ascending), mapper, where.argsWith(limit));
        }
        SqlWhere where = new SqlWhere().in("series_id", seriesIds);
        conditions.accept(where);
        if (cursor != null && cursor.seriesId() < 0) {
            where.and("(generate_time, dup_seq) " + cmp + " (?, ?)", cursor.time(), cursor.dupSeq());
        } else if (cursor != null) {
            where.and("(generate_time, series_id, dup_seq) " + cmp + " (?, ?, ?)", cursor.time(), cursor.seriesId(), cursor.dupSeq());
        }
        boolean merge = seriesIds.size() <= alwaysMerged || seriesIds.size() <= MERGED_AT_MOST
                && jdbc.query("SELECT COUNT(*) FROM (SELECT 1 FROM stream_records" + where.sql() + " LIMIT " + (sortedAtOnce + 1) + ") m",
                        rs -> rs.getInt(1), where.args()).get(0) > sortedAtOnce;
        List<T> out = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            List<Long> keys = !merge
                    ? jdbc.query("SELECT stream_key FROM stream_records" + where.sql() + " ORDER BY generate_time " + dir + ", series_id " + dir
                            + ", dup_seq " + dir + " LIMIT ?", rs -> rs.getLong(1), where.argsWith(limit))
                    : merged(seriesIds, conditions, cursor, ascending, limit);
            Map<Long, T> byKey = new HashMap<>();
            for (int from = 0; from < keys.size(); from += 500) {
                SqlWhere chosen = new SqlWhere().in("stream_key", keys.subList(from, Math.min(keys.size(), from + 500)));
                jdbc.query("SELECT * FROM stream_records" + chosen.sql(), rs -> {
                    byKey.put(rs.getLong("stream_key"), mapper.map(rs));
                    return null;
                }, chosen.args());
            }
            out.clear();
            for (long key : keys) {
                T found = byKey.get(key);
                if (found != null) out.add(found);
            }
            // A record removed between the two reads (an erasure) would make the page short, which callers take for the
            // end: the page is read again, its keys with it.
            if (out.size() == keys.size() || attempt == 3) return out;
        }
    }

    /**
     * One series' records in order, at most a limit ({@code ?}): naming series_id first lets H2 walk the index (series_id,
     * generate_time, dup_seq) in order and stop at the limit.
     */
    private static String alongIndex(boolean ascending) {
        String dir = ascending ? "ASC" : "DESC";
        return " ORDER BY series_id " + dir + ", generate_time " + dir + ", dup_seq " + dir + " LIMIT ?";
    }

    /** A record's place in a read's order, and its key. */
    private record RecordPlace(long key, java.time.Instant time, long seriesId, long dupSeq) {}

    /**
     * The keys of the first {@code limit} records of {@link #ordered} over many records: each series read along its index a
     * few records at a time (more as it is drawn from), merged by time, then series, then tie-breaker. What is read is about
     * the series' count times a few, plus the page: never the records beyond it.
     */
    private List<Long> merged(List<Long> seriesIds, java.util.function.Consumer<SqlWhere> conditions, Cursor cursor, boolean ascending, int limit) {
        java.util.Comparator<RecordPlace> order = java.util.Comparator.comparing(RecordPlace::time).thenComparingLong(RecordPlace::seriesId).thenComparingLong(RecordPlace::dupSeq);
        if (!ascending) order = order.reversed();
        int chunk = Math.max(leastRead, Math.min(limit, 2 * limit / seriesIds.size() + 1));
        final class Series {
            final long id;
            final java.util.ArrayDeque<RecordPlace> ahead = new java.util.ArrayDeque<>();
            RecordPlace last;
            boolean done;

            Series(long id) {
                this.id = id;
            }

            /** Reads the next {@code n} records of this series after its last one (or after the read's cursor). */
            void read(int n) {
                String cmp = ascending ? ">" : "<";
                SqlWhere w = new SqlWhere().and("series_id = ?", id);
                conditions.accept(w);
                if (last != null) {
                    w.and("(generate_time, dup_seq) " + cmp + " (?, ?)", last.time().atOffset(ZoneOffset.UTC), last.dupSeq());
                } else if (cursor != null && (cursor.seriesId() < 0 || cursor.seriesId() == id)) {
                    w.and("(generate_time, dup_seq) " + cmp + " (?, ?)", cursor.time(), cursor.dupSeq());
                } else if (cursor != null) {
                    // After (time, series, tie-breaker): a series after the cursor's in the order takes its time itself too.
                    boolean laterSeries = ascending ? id > cursor.seriesId() : id < cursor.seriesId();
                    w.and("generate_time " + cmp + (laterSeries ? "=" : "") + " ?", cursor.time());
                }
                List<RecordPlace> rows = jdbc.query("SELECT stream_key, generate_time, dup_seq FROM stream_records" + w.sql() + alongIndex(ascending),
                        rs -> new RecordPlace(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), id, rs.getLong(3)), w.argsWith(n));
                ahead.addAll(rows);
                if (!rows.isEmpty()) last = rows.get(rows.size() - 1);
                done = rows.size() < n;
            }
        }
        final java.util.Comparator<RecordPlace> byPlace = order;
        java.util.PriorityQueue<Series> heads = new java.util.PriorityQueue<>((a, b) -> byPlace.compare(a.ahead.peekFirst(), b.ahead.peekFirst()));
        for (long id : seriesIds) {
            Series one = new Series(id);
            one.read(chunk);
            if (!one.ahead.isEmpty()) heads.add(one);
        }
        List<Long> keys = new ArrayList<>(limit);
        while (keys.size() < limit && !heads.isEmpty()) {
            Series next = heads.poll();
            keys.add(next.ahead.pollFirst().key());
            if (next.ahead.isEmpty() && !next.done) next.read(Math.min(chunk * 4, limit));
            if (!next.ahead.isEmpty()) heads.add(next);
        }
        return keys;
    }

    /** A record with its series: with its time and tie-breaker, its place in a search's order. */
    public record Keyed(Record record, long seriesId) {
        public SearchCursor cursor() {
            return new SearchCursor(record.generateTime(), seriesId, record.dupSeq());
        }
    }

    /** Where a search page ended: the last record's time, series and tie-breaker. */
    public record SearchCursor(OffsetDateTime time, long seriesId, long dupSeq) {}

    /**
     * The records of {@code entityIds} (of any element when {@code elementIds} is null), with the time
     * conditions {@code times} adds (on {@code generate_time}), in time order (then series, then tie-breaker),
     * after {@code cursor}: keyset paging across series, so pages stay right while new records arrive. One series
     * is read along its index in order and stops at the limit, however deep the cursor; several are merged by time.
     */
    public List<Keyed> search(String namespace, List<String> entityIds, List<String> elementIds, java.util.function.Consumer<SqlWhere> times,
                              boolean ascending, SearchCursor cursor, int limit) {
        if (entityIds.isEmpty() || elementIds != null && elementIds.isEmpty()) return List.of();
        SqlWhere seriesWhere = new SqlWhere().and("namespace = ?", namespace).in("entity_id", entityIds).in("data_element_id", elementIds);
        Map<Long, String[]> series = new HashMap<>();
        jdbc.query("SELECT series_id, entity_id, data_element_id FROM stream_series" + seriesWhere.sql(), rs -> {
            series.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
            return null;
        }, seriesWhere.args());
        if (series.isEmpty()) return List.of();
        Cursor after = cursor == null ? null : new Cursor(cursor.time(), cursor.seriesId(), cursor.dupSeq());
        return ordered(new ArrayList<>(series.keySet()), times, after, ascending, limit, rs -> {
            String[] s = series.get(rs.getLong("series_id"));
            return new Keyed(record(rs, namespace, s[0], element(s[1]).orElseThrow()), rs.getLong("series_id"));
        });
    }

    private Record record(ResultSet rs) throws SQLException {
        return record(rs, rs.getString("namespace"), rs.getString("entity_id"), element(rs));
    }

    private Record record(ResultSet rs, String namespace, String entityId, DataElement element) throws SQLException {
        OffsetDateTime t = rs.getObject("generate_time", OffsetDateTime.class)
                .withOffsetSameInstant(ZoneOffset.ofTotalSeconds(rs.getInt("generate_offset")));
        String data = rs.getString("stream_data");
        String legacyId = rs.getString("legacy_stream_id");
        return new Record(legacyId != null ? legacyId : ids.idOf(rs.getLong("stream_key")), namespace, entityId, element,
                t, rs.getString("generate_mask"), data, rs.getObject("create_time", OffsetDateTime.class), rs.getLong("dup_seq"));
    }
}
