package io.omix.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.OmixServer;
import io.omix.server.Platform;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.batches.BatchStore;
import io.omix.server.common.db.Database;
import io.omix.server.common.time.PartialTime;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.TokenStore;
import io.omix.server.streams.StreamStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Does the database stay bounded under steady small commits (the operations issue)? Three workloads
 * as the server runs them, one commit each as in production: token grants (one commit per grant),
 * stream records (100 a commit, batch_write_stream's size) and batch items (1,000 a commit). Each
 * round writes the workload's data, then the previous round's data is removed as housekeeping or an
 * erasure would, so the live data stays one round's worth. Prints the database's size after each
 * round, then the live data's own size and the ratio (target: at most 3x): PostgreSQL after VACUUM FULL; on H2 a copy
 * rewritten densely without compression (what VACUUM FULL measures there), and, for comparison with earlier runs, the
 * size SHUTDOWN COMPACT leaves, which also compresses.
 * Usage: java -cp omix-bench.jar io.omix.bench.StorageBench [grants=1000000] [records=10000000] [items=1000000]
 * [rounds=3] [jdbcUrl user password]
 */
public final class StorageBench {
    private StorageBench() {}

    private static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        int grants = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 10_000_000;
        int items = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path dbFile;
        String db;
        long peak = 0;
        try (OmixServer server = BenchServer.start("storage", args, 4)) {
            Platform platform = server.platform();
            db = platform.database().vendor().name().toLowerCase();
            dbFile = platform.config().dataDir().resolve("db").resolve("omix.mv.db");
            String clientId = new ClientStore(platform).create("storage bench", List.of(), Set.of("client_credentials"),
                    Set.of("samples"), false, null).client().clientId();
            PrivateAppStore.Created app = new PrivateAppStore(platform).create("bench", "STORAGE_" + System.nanoTime());
            List<String> entities = StreamBench.entities(server, app, THREADS);
            String namespace = app.app().namespace();
            System.out.printf("[%s] start: %s%n", db, size(platform, dbFile));
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                issueGrants(platform, clientId, grants);
                long t1 = System.nanoTime();
                writeRecords(platform, namespace, entities, records, round);
                long t2 = System.nanoTime();
                long batchNo = importItems(platform, namespace, items);
                long t3 = System.nanoTime();
                long written = bytes(platform, dbFile);
                peak = Math.max(peak, written);
                // What housekeeping (expired tokens) or an erasure (records, items) does to the previous round.
                if (round > 0) removePrevious(platform, round);
                markRound(platform, round, batchNo);
                long after = bytes(platform, dbFile);
                peak = Math.max(peak, after);
                System.out.printf("[%s] round %d: %,d grants %.0f/s, %,d records %.0f/s, %,d items %.0f/s; size %.1f MB written, %.1f MB after removing the round before%n",
                        db, round, grants, grants / sec(t0, t1), records, records / sec(t1, t2), items, items / sec(t2, t3),
                        written / 1e6, after / 1e6);
                System.out.println("    " + platform.database().embeddedFillRates());
            }
            if (platform.database().vendor() == Database.Vendor.POSTGRESQL) {
                long before = bytes(platform, dbFile);
                platform.database().jdbc().update("VACUUM FULL");
                long compact = bytes(platform, dbFile);
                System.out.printf("[%s] at the end %.1f MB, peak %.1f MB; live data alone (VACUUM FULL) %.1f MB: end %.2fx, peak %.2fx (target <= 3x)%n",
                        db, before / 1e6, peak / 1e6, compact / 1e6, (double) before / compact, (double) peak / compact);
                return;
            }
        }
        long atClose = Files.size(dbFile);
        // The live data alone: a copy rewritten densely by H2's own tool, without compression, so that the data's size does
        // not depend on how well it compresses (the running store compresses its pages; so does SHUTDOWN COMPACT below).
        Path copy = Files.createTempFile(dbFile.getParent(), "dense-", ".mv.db");
        Files.copy(dbFile, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        org.h2.mvstore.MVStoreTool.compact(copy.toString(), false);
        long dense = Files.size(copy);
        Files.delete(copy);
        System.out.printf("[%s] after a clean stop %.1f MB, peak %.1f MB; live data alone, dense and uncompressed %.1f MB: end %.2fx, peak %.2fx (target <= 3x)%n",
                db, atClose / 1e6, peak / 1e6, dense / 1e6, (double) atClose / dense, (double) peak / dense);
        // The live data alone: the same database rewritten compactly (H2 keeps nothing else after this).
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dbFile.toString().replace(".mv.db", "")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "", "")) {
            c.createStatement().execute("SHUTDOWN COMPACT");
        }
        long compact = Files.size(dbFile);
        System.out.printf("[%s] after a clean stop %.1f MB, peak %.1f MB; live data alone, compressed (SHUTDOWN COMPACT) %.1f MB: end %.2fx, peak %.2fx%n",
                db, atClose / 1e6, peak / 1e6, compact / 1e6, (double) atClose / compact, (double) peak / compact);
    }

    private static double sec(long from, long to) {
        return (to - from) / 1e9;
    }

    private static String size(Platform platform, Path dbFile) throws Exception {
        return String.format("%.1f MB", bytes(platform, dbFile) / 1e6);
    }

    private static long bytes(Platform platform, Path dbFile) throws Exception {
        if (platform.database().vendor() == Database.Vendor.POSTGRESQL) {
            return platform.database().jdbc().queryOne("SELECT pg_database_size(current_database())", rs -> rs.getLong(1)).orElseThrow();
        }
        return Files.size(dbFile);
    }

    /** One grant a commit, {@link #THREADS} at a time, as the token endpoint issues them. */
    private static void issueGrants(Platform platform, String clientId, int n) throws Exception {
        TokenStore tokens = new TokenStore(platform);
        parallel(n, (from, to) -> {
            for (int i = from; i < to; i++) tokens.issue(TokenStore.newFamily(), clientId, null, "client_credentials", "samples", null, false);
        });
    }

    /** Records of each entity a second apart, 100 a commit; round r writes other times than round r - 1. */
    private static void writeRecords(Platform platform, String namespace, List<String> entities, int n, int round) throws Exception {
        StreamStore streams = new StreamStore(platform);
        long first = 1_600_000_000L + (long) round * n;
        parallel(n, (from, to) -> {
            String entity = entities.get(from / Math.max(1, to - from) % entities.size());
            for (int done = from; done < to; done += 100) {
                List<StreamStore.NewRecord> batch = new ArrayList<>(100);
                for (int i = done; i < Math.min(to, done + 100); i++) {
                    String time = Instant.ofEpochSecond(first + i).atOffset(ZoneOffset.ofHours(8)).toLocalDateTime().toString().replace('T', ' ');
                    batch.add(new StreamStore.NewRecord(entity, StreamBench.HEART_RATE, PartialTime.parse(time),
                            JsonNodeFactory.instance.objectNode().set("value_quantity",
                                    JsonNodeFactory.instance.objectNode().put("unit", "beats/min").put("value", 60 + i % 30))));
                }
                for (StreamStore.Written w : streams.write(namespace, batch, false)) {
                    if (w.problem() != null) throw new IllegalStateException(w.problem());
                }
            }
        });
    }

    /** A new batch, filled 1,000 items a commit. */
    private static long importItems(Platform platform, String namespace, int n) throws Exception {
        BatchStore batches = new BatchStore(platform);
        long batchNo = batches.register(namespace, "storage", "storage bench").batchNo();
        for (int done = 0; done < n; done += 1000) {
            List<BatchStore.NewItem> chunk = new ArrayList<>(1000);
            for (int i = done; i < Math.min(n, done + 1000); i++) {
                chunk.add(new BatchStore.NewItem(StreamBench.HEART_RATE,
                        JsonNodeFactory.instance.objectNode().put("value", i % 200).put("unit", "beats/min")));
            }
            batches.importItems(namespace, batchNo, null, chunk).ifPresent(r -> {
                throw new IllegalStateException(r.toString());
            });
        }
        return batchNo;
    }

    /** Remembers which round wrote what: tokens by issue time, records by time, items by batch. */
    private static void markRound(Platform platform, int round, long batchNo) {
        platform.database().jdbc().update("CREATE TABLE IF NOT EXISTS bench_rounds (round INTEGER PRIMARY KEY, until TIMESTAMP WITH TIME ZONE, batch_no BIGINT)");
        platform.database().jdbc().update("INSERT INTO bench_rounds (round, until, batch_no) VALUES (?, CURRENT_TIMESTAMP, ?)", round, batchNo);
    }

    /** Removes what round - 1 wrote, 10,000 rows a commit, as housekeeping removes expired rows. */
    private static void removePrevious(Platform platform, int round) {
        var jdbc = platform.database().jdbc();
        long batchNo = jdbc.queryOne("SELECT batch_no FROM bench_rounds WHERE round = ?", rs -> rs.getLong(1), round - 1).orElseThrow();
        var until = jdbc.queryOne("SELECT until FROM bench_rounds WHERE round = ?", rs -> rs.getObject(1, java.time.OffsetDateTime.class), round - 1).orElseThrow();
        var since = round >= 2
                ? jdbc.queryOne("SELECT until FROM bench_rounds WHERE round = ?", rs -> rs.getObject(1, java.time.OffsetDateTime.class), round - 2).orElseThrow()
                : java.time.OffsetDateTime.parse("2000-01-01T00:00:00Z");
        deleteInSlices(platform, "oauth_tokens", "issued_at <= ? AND issued_at > ?", until, since);
        deleteInSlices(platform, "data_items", "batch_no = ?", batchNo);
        deleteInSlices(platform, "stream_records", "create_time <= ? AND create_time > ?", until, since);
    }

    /** DELETE of the rows matching, 10,000 a commit (H2 takes LIMIT on DELETE; PostgreSQL picks rows by ctid). */
    private static void deleteInSlices(Platform platform, String table, String where, Object... args) {
        String sql = platform.database().vendor() == Database.Vendor.POSTGRESQL
                ? "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + where + " LIMIT 10000))"
                : "DELETE FROM " + table + " WHERE " + where + " LIMIT 10000";
        while (platform.database().jdbc().update(sql, args) > 0) {
            // next slice
        }
    }

    private interface Slice {
        void run(int from, int to) throws Exception;
    }

    /** Splits [0, n) into {@link #THREADS} slices run side by side. */
    private static void parallel(int n, Slice slice) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            int per = (n + THREADS - 1) / THREADS / 100 * 100 + 100;
            for (int t = 0; t < THREADS; t++) {
                int from = Math.min(n, t * per);
                int to = Math.min(n, from + per);
                int sliceFrom = from;
                futures.add(pool.submit(() -> {
                    slice.run(sliceFrom, to);
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
    }
}
