package io.omix.server.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.Platform;
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
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Entities, data elements and time-stamped records, by namespace. */
public final class StreamStore {
    /** The namespace of records written and read through the open platform. */
    public static final String OPEN_PLATFORM = "OPEN_PLATFORM";

    public record DataElement(String id, String name, String description, String sourceDomain, String sourceId) {}

    public record Record(String streamId, String namespace, String entityId, DataElement element, OffsetDateTime generateTime,
                         String mask, JsonNode data, OffsetDateTime createTime, long dupSeq) {}

    /** A record to write; {@code problem} is set when the item was refused before writing. */
    public record NewRecord(String entityId, String dataElementId, PartialTime time, JsonNode data) {}

    public record Written(String streamId, String problem, OffsetDateTime generateTime) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public StreamStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    public Optional<DataElement> element(String id) {
        if (id == null || id.length() > 36) return Optional.empty();
        return jdbc.queryOne("SELECT * FROM data_elements WHERE data_element_id = ?", StreamStore::element, id);
    }

    /** An operator's addition to the catalog; the id is new (time-ordered UUID). */
    public DataElement createElement(String name, String description, String sourceDomain, String sourceId) {
        if (name == null || name.isBlank() || name.length() > 200) throw new IllegalArgumentException("name must be 1-200 characters");
        String id = io.omix.server.common.db.TimeOrderedIds.next().toString();
        jdbc.update("INSERT INTO data_elements (data_element_id, name, description, source_domain, source_id) VALUES (?,?,?,?,?)",
                id, name, description == null ? "" : description, sourceDomain, sourceId);
        return element(id).orElseThrow();
    }

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
        try {
            jdbc.update("INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?, ?)", biosampleId, UUID.randomUUID().toString());
        } catch (Jdbc.DataAccessException raced) {
            // another request bound it at the same moment: use theirs
        }
        return jdbc.queryOne("SELECT entity_id FROM sample_entities WHERE biosample_id = ?", rs -> rs.getString(1), biosampleId).orElseThrow();
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
        // Fast path: insert everything at once, together with the writes of concurrent requests (one
        // commit for all of them), and let the unique index refuse a duplicate; only then check this
        // request record by record (the slow path also handles a concurrent writer racing us).
        Optional<List<Written>> grouped = groupCommit.submit(new Pending(namespace, records, duplicateEnabled));
        if (grouped.isPresent()) return grouped.get();
        return writeChecked(namespace, records, duplicateEnabled);
    }

    private List<Written> writeChecked(String namespace, List<NewRecord> records, boolean duplicateEnabled) {
        for (int attempt = 0; ; attempt++) {
            try {
                return jdbc.inTransaction(c -> writeAll(c, namespace, records, duplicateEnabled));
            } catch (Jdbc.DataAccessException e) {
                // A concurrent writer stored one of these keys between our check and our insert: check again.
                if (attempt >= 2 || !isUniqueViolation(e)) throw e;
            }
        }
    }

    private record Pending(String namespace, List<NewRecord> records, boolean duplicateEnabled) {}

    private final GroupCommit<Pending, List<Written>> groupCommit = new GroupCommit<>(this::insertGroup);

    /** Inserts a group of requests in one transaction; empty when the index refused a record of any of them. */
    private Optional<List<List<Written>>> insertGroup(List<Pending> group) {
        try {
            return Optional.of(jdbc.inTransaction(c -> {
                List<List<Written>> out = new ArrayList<>(group.size());
                for (Pending p : group) out.add(insertAll(c, p.namespace(), p.records(), p.duplicateEnabled()));
                return out;
            }));
        } catch (Jdbc.DataAccessException e) {
            if (!isUniqueViolation(e)) throw e;
            return Optional.empty();
        }
    }

    private static boolean isUniqueViolation(Jdbc.DataAccessException e) {
        return e.getCause() instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("23");
    }

    private static final String INSERT = "INSERT INTO streams (stream_id, namespace, entity_id, data_element_id, generate_time, "
            + "generate_offset, generate_mask, stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,?,?,?)";

    private List<Written> insertAll(Connection c, String namespace, List<NewRecord> records, boolean duplicateEnabled) throws SQLException {
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime now = platform.now();
        List<Written> out = new ArrayList<>(records.size());
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (NewRecord r : records) {
                OffsetDateTime time = r.time().resolve(zone);
                String id = io.omix.server.common.db.TimeOrderedIds.next().toString();
                Jdbc.bind(insert, id, namespace, r.entityId(), r.dataElementId(), time, time.getOffset().getTotalSeconds(), r.time().mask(),
                        json(r.data()), now, duplicateEnabled ? ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE) : 0L);
                insert.addBatch();
                out.add(new Written(id, null, time));
            }
            insert.executeBatch();
        }
        return out;
    }

    private List<Written> writeAll(Connection c, String namespace, List<NewRecord> records, boolean duplicateEnabled) throws SQLException {
        ZoneOffset zone = platform.config().defaultZone();
        OffsetDateTime now = platform.now();
        List<Written> out = new ArrayList<>(records.size());
        java.util.Set<String> inThisCall = new java.util.HashSet<>();
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM streams WHERE namespace = ? AND entity_id = ? AND data_element_id = ? "
                + "AND generate_time = ? AND dup_seq = 0");
             PreparedStatement insert = c.prepareStatement(INSERT)) {
            int pending = 0;
            for (NewRecord r : records) {
                OffsetDateTime time = r.time().resolve(zone);
                long dupSeq = 0;
                String key = r.entityId() + "|" + r.dataElementId() + "|" + time.toInstant();
                if (duplicateEnabled) {
                    dupSeq = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
                } else {
                    Jdbc.bind(exists, namespace, r.entityId(), r.dataElementId(), time);
                    boolean taken;
                    try (ResultSet rs = exists.executeQuery()) {
                        taken = rs.next();
                    }
                    if (taken || !inThisCall.add(key)) {
                        out.add(new Written(null, "a record of this entity, data element and time exists (duplicate_enabled=true writes it again)", time));
                        continue;
                    }
                }
                String id = io.omix.server.common.db.TimeOrderedIds.next().toString();
                Jdbc.bind(insert, id, namespace, r.entityId(), r.dataElementId(), time, time.getOffset().getTotalSeconds(), r.time().mask(),
                        json(r.data()), now, dupSeq);
                insert.addBatch();
                pending++;
                out.add(new Written(id, null, time));
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
        return jdbc.queryOne("SELECT s.*, e.name, e.description, e.source_domain, e.source_id FROM streams s "
                + "JOIN data_elements e ON e.data_element_id = s.data_element_id WHERE s.stream_id = ?", StreamStore::record, streamId);
    }

    /** Where a page ended: the last record's time and tie-breaker. */
    public record Cursor(OffsetDateTime time, long dupSeq) {}

    /**
     * One entity's (or several entities') records of one element in a closed time interval, in time
     * order, after {@code cursor}: keyset paging, so pages stay right while new records arrive.
     */
    public List<Record> range(String namespace, List<String> entityIds, String elementId, OffsetDateTime from, OffsetDateTime to,
                              boolean ascending, Cursor cursor, int limit) {
        SqlWhere where = new SqlWhere().and("s.namespace = ?", namespace).in("s.entity_id", entityIds).and("s.data_element_id = ?", elementId);
        if (from != null) where.and("s.generate_time >= ?", from);
        if (to != null) where.and("s.generate_time <= ?", to);
        if (cursor != null) {
            // A row-value comparison: both databases turn it into one index range from the cursor on.
            where.and(ascending ? "(s.generate_time, s.dup_seq) > (?, ?)" : "(s.generate_time, s.dup_seq) < (?, ?)", cursor.time(), cursor.dupSeq());
        }
        String dir = ascending ? "ASC" : "DESC";
        return jdbc.query("SELECT s.*, e.name, e.description, e.source_domain, e.source_id FROM streams s "
                        + "JOIN data_elements e ON e.data_element_id = s.data_element_id" + where.sql()
                        + " ORDER BY s.generate_time " + dir + ", s.dup_seq " + dir + " LIMIT ?",
                StreamStore::record, where.argsWith(limit));
    }

    private static Record record(ResultSet rs) throws SQLException {
        OffsetDateTime t = rs.getObject("generate_time", OffsetDateTime.class)
                .withOffsetSameInstant(ZoneOffset.ofTotalSeconds(rs.getInt("generate_offset")));
        JsonNode data;
        try {
            data = ServerJson.MAPPER.readTree(rs.getString("stream_data"));
        } catch (JsonProcessingException e) {
            throw new SQLException("corrupt stream_data", e);
        }
        return new Record(rs.getString("stream_id"), rs.getString("namespace"), rs.getString("entity_id"),
                new DataElement(rs.getString("data_element_id"), rs.getString("name"), rs.getString("description"),
                        rs.getString("source_domain"), rs.getString("source_id")),
                t, rs.getString("generate_mask"), data, rs.getObject("create_time", OffsetDateTime.class), rs.getLong("dup_seq"));
    }
}
