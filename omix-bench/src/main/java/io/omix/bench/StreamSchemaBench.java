package io.omix.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The stream records' two layouts side by side on the embedded store, JDBC only (no HTTP): V7's (a
 * string id as primary key, the range index led by namespace, entity and element strings, a foreign
 * key to the element) and V14's (a BIGINT key, a series number, no per-record foreign key). Same
 * rows, 400 a transaction as a group commit writes them, alternating rounds, one JVM.
 * Usage: java -cp omix-bench.jar io.omix.bench.StreamSchemaBench [rowsPerRound=400000] [rounds=3]
 */
public final class StreamSchemaBench {
    private StreamSchemaBench() {}

    private static final String HEART_RATE = StreamBench.HEART_RATE;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = BenchServer.scratchDir("omix-schema-bench-");
        try (Connection v7 = open(dir.resolve("v7")); Connection v14 = open(dir.resolve("v14"))) {
            create(v7, false);
            create(v14, true);
            for (int round = 0; round <= rounds; round++) { // round 0 warms up both
                double before = load(v7, false, round, rows);
                double after = load(v14, true, round, rows);
                System.out.printf("%s round %d: V7 layout %,.0f rows/s, V14 layout %,.0f rows/s, ratio %.2fx%n",
                        round == 0 ? "warm-up" : "measured", round, before, after, after / before);
            }
        }
    }

    private static Connection open(Path dir) throws Exception {
        Files.createDirectories(dir);
        Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("omix").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;CACHE_SIZE=262144");
        c.setAutoCommit(true);
        return c;
    }

    private static void create(Connection c, boolean v14) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE data_elements (data_element_id VARCHAR(36) NOT NULL PRIMARY KEY)");
            s.execute("INSERT INTO data_elements VALUES ('" + HEART_RATE + "')");
            if (v14) {
                s.execute("CREATE TABLE stream_records (stream_key BIGINT NOT NULL PRIMARY KEY, series_id BIGINT NOT NULL, "
                        + "generate_time TIMESTAMP WITH TIME ZONE NOT NULL, generate_offset INTEGER NOT NULL, generate_mask VARCHAR(40) NOT NULL, "
                        + "stream_data TEXT NOT NULL, create_time TIMESTAMP WITH TIME ZONE NOT NULL, dup_seq BIGINT NOT NULL, legacy_stream_id VARCHAR(36))");
                s.execute("CREATE UNIQUE INDEX stream_records_range ON stream_records (series_id, generate_time, dup_seq)");
            } else {
                s.execute("CREATE TABLE streams (stream_id VARCHAR(36) NOT NULL PRIMARY KEY, namespace VARCHAR(100) NOT NULL, "
                        + "entity_id VARCHAR(36) NOT NULL, data_element_id VARCHAR(36) NOT NULL REFERENCES data_elements (data_element_id), "
                        + "generate_time TIMESTAMP WITH TIME ZONE NOT NULL, generate_offset INTEGER NOT NULL, generate_mask VARCHAR(40) NOT NULL, "
                        + "stream_data TEXT NOT NULL, create_time TIMESTAMP WITH TIME ZONE NOT NULL, dup_seq BIGINT NOT NULL)");
                s.execute("CREATE UNIQUE INDEX streams_range ON streams (namespace, entity_id, data_element_id, generate_time, dup_seq)");
            }
        }
    }

    /** Four entities' records, 100 of one entity after another, 400 a transaction; rows/s. */
    private static double load(Connection c, boolean v14, int round, int rows) throws Exception {
        String[] entities = new String[4];
        for (int i = 0; i < 4; i++) entities[i] = UUID.nameUUIDFromBytes(("entity-" + i).getBytes()).toString();
        String sql = v14
                ? "INSERT INTO stream_records (stream_key, series_id, generate_time, generate_offset, generate_mask, stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,0)"
                : "INSERT INTO streams (stream_id, namespace, entity_id, data_element_id, generate_time, generate_offset, generate_mask, stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,?,?,0)";
        c.setAutoCommit(false);
        long start = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int n = 0; n < rows; n++) {
                long key = (long) round * rows + n + 1;
                int entity = (n / 100) % 4;
                OffsetDateTime time = OffsetDateTime.ofInstant(Instant.ofEpochSecond(1_600_000_000L + key), ZoneOffset.ofHours(8));
                String data = "{\"value_quantity\":{\"unit\":\"beats/min\",\"value\":" + (60 + n % 30) + "}}";
                int i = 1;
                if (v14) {
                    ps.setLong(i++, key);
                    ps.setLong(i++, entity + 1);
                } else {
                    ps.setString(i++, io.omix.server.common.db.TimeOrderedIds.next().toString());
                    ps.setString(i++, "BENCH_NAMESPACE");
                    ps.setString(i++, entities[entity]);
                    ps.setString(i++, HEART_RATE);
                }
                ps.setObject(i++, time);
                ps.setInt(i++, 28800);
                ps.setString(i++, "1111-11-11T11:11:11.000000±1111");
                ps.setString(i++, data);
                ps.setObject(i, OffsetDateTime.now(ZoneOffset.UTC));
                ps.addBatch();
                if ((n + 1) % 400 == 0) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
        c.setAutoCommit(true);
        return rows / ((System.nanoTime() - start) / 1e9);
    }
}
