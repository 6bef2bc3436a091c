package io.omix.bench;

import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import io.omix.server.OmixServer;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.common.http.PageToken;
import io.omix.server.samples.SampleStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/**
 * Issue 5's range latency at full size: one entity with 1M records among 10M in the table (the
 * other 9M spread over 9 entities), loaded straight through JDBC (ingest is StreamBench's
 * business), then 500 stream_range calls through the SDK for the first page (newest first) and
 * for a page in the middle (oldest first, after half a million records).
 * Usage: {@code java -Xmx2g -cp omix-bench.jar io.omix.bench.StreamRangeBench [total=10000000] [target=1000000] [jdbcUrl user password]}
 */
public final class StreamRangeBench {
    private static final OffsetDateTime START = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private StreamRangeBench() {}

    public static void main(String[] args) throws Exception {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        long target = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        try (OmixServer server = BenchServer.start("range", args, 2)) {
            String db = server.platform().database().vendor().name().toLowerCase();
            PrivateAppStore.Created app = new PrivateAppStore(server.platform()).create("bench", "RANGE_" + System.nanoTime());
            String ns = app.app().namespace();
            String project = new SampleStore(server.platform()).createProject("bench", 1, null, null, null).projectId();
            try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString()).build()) {
                String sample = api.registerSample(11, project, "RANGE-1", Map.of()).getString("biosample_id");
                String entity = api.streamBind(sample).getString("fundamental_entity_id");
                long loadStart = System.nanoTime();
                load(server, ns, entity, target);
                long others = total - target;
                for (int e = 0; e < 9 && others > 0; e++) {
                    long n = e == 8 ? others : Math.min(others, (total - target) / 9);
                    load(server, ns, UUID.randomUUID().toString(), n);
                    others -= n;
                }
                System.out.printf("[%s] loaded %,d records (%,d for the measured entity) in %.0f s%n", db, total, target,
                        (System.nanoTime() - loadStart) / 1e9);
                // A table loaded in one go is vacuumed and analysed by PostgreSQL's autovacuum some
                // time later, on the same two cores as the measurement; a running deployment's table
                // has long been. Done here first so the two do not overlap.
                if (db.equals("postgresql")) server.platform().database().jdbc().update("VACUUM ANALYZE stream_records");
                String element = StreamBench.HEART_RATE;
                // The cursor half-way through, as the server would hand it out after the middle record
                // (loaded one a minute from 2020-01-01, tie-breaker 0): no need to walk 5,000 pages to it.
                java.time.Instant middleRecord = START.plusMinutes(target / 2).toInstant();
                String deep = PageToken.encode(middleRecord.getEpochSecond(), middleRecord.getNano(), 0L);
                Model probe = api.streamRange(ns, element, entity, null, null, null, "asc", deep, 100);
                if (probe.getList("result").size() != 100) throw new IllegalStateException("the deep cursor found no page: " + probe);
                for (int i = 0; i < 3_000; i++) { // warm-up, not measured: the JIT compiles the whole call path (300 left p99 ~2 ms higher)
                    api.streamRange(ns, element, entity, null, null, null, "desc", null, 100);
                    api.streamRange(ns, element, entity, null, null, null, "asc", deep, 100);
                }
                long[] first = new long[500];
                long[] middle = new long[500];
                for (int i = 0; i < 500; i++) {
                    long t0 = System.nanoTime();
                    api.streamRange(ns, element, entity, null, null, null, "desc", null, 100);
                    first[i] = System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    api.streamRange(ns, element, entity, null, null, null, "asc", deep, 100);
                    middle[i] = System.nanoTime() - t0;
                }
                System.out.printf("[%s] stream_range, 100 records a page, entity with %,d records among %,d: first page p50 %.2f ms p99 %.2f ms;"
                                + " a page in the middle p50 %.2f ms p99 %.2f ms (target p99 < 10 ms)%n",
                        db, target, total, Percentiles.ms(first, 50), Percentiles.ms(first, 99), Percentiles.ms(middle, 50), Percentiles.ms(middle, 99));
            }
        }
    }

    /** n heart-rate records of one entity, one a minute, 10,000 rows a transaction, laid out as StreamStore writes them. */
    private static void load(OmixServer server, String ns, String entity, long n) throws Exception {
        try (Connection c = server.platform().database().dataSource().getConnection()) {
            long series;
            try (PreparedStatement find = c.prepareStatement("SELECT series_id FROM stream_series WHERE namespace = ? AND entity_id = ? AND data_element_id = ?")) {
                find.setString(1, ns);
                find.setString(2, entity);
                find.setString(3, StreamBench.HEART_RATE);
                try (java.sql.ResultSet rs = find.executeQuery()) {
                    if (!rs.next()) {
                        try (PreparedStatement add = c.prepareStatement("INSERT INTO stream_series (namespace, entity_id, data_element_id) VALUES (?, ?, ?)")) {
                            add.setString(1, ns);
                            add.setString(2, entity);
                            add.setString(3, StreamBench.HEART_RATE);
                            add.executeUpdate();
                        }
                        try (java.sql.ResultSet again = find.executeQuery()) {
                            again.next();
                            series = again.getLong(1);
                        }
                    } else {
                        series = rs.getLong(1);
                    }
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement keys = c.prepareStatement("SELECT nextval('stream_keys')");
                 PreparedStatement ps = c.prepareStatement("INSERT INTO stream_records (stream_key, series_id, generate_time,"
                    + " generate_offset, generate_mask, stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,0)")) {
                OffsetDateTime start = START;
                OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                long key = 0;
                for (long i = 0; i < n; i++) {
                    if (i % 1024 == 0) { // the sequence hands out blocks of 1024 keys, as to the server
                        try (java.sql.ResultSet rs = keys.executeQuery()) {
                            rs.next();
                            key = rs.getLong(1);
                        }
                    }
                    ps.setLong(1, key++);
                    ps.setLong(2, series);
                    ps.setObject(3, start.plusMinutes(i));
                    ps.setInt(4, 28800);
                    ps.setString(5, "1111-11-11T11:11:00.000000±1111");
                    ps.setString(6, "{\"value_quantity\":{\"unit\":\"beats/min\",\"value\":" + (60 + i % 30) + "}}");
                    ps.setObject(7, now);
                    ps.addBatch();
                    if ((i + 1) % 10_000 == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
        }
    }

}
