package io.omix.server.common.db;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Migrations and the JDBC helpers behave the same on the embedded store and on PostgreSQL. */
class DatabaseTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void migrationsCreateTheSchema(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            List<Integer> applied = jdbc.query("SELECT COUNT(*) FROM flyway_schema_history WHERE success = TRUE", rs -> rs.getInt(1));
            assertTrue(applied.get(0) >= 1);
            assertEquals(List.of("master_key_check"), jdbc.query("SELECT name FROM omix_meta", rs -> rs.getString(1)), "the master key's check value only");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void transactionsCommitOrRollBackWhole(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            jdbc.inTransaction(c -> Jdbc.update(c, "INSERT INTO omix_meta (name, meta_value) VALUES (?, ?)", "a", "1"));
            assertThrows(IllegalStateException.class, () -> jdbc.inTransaction(c -> {
                Jdbc.update(c, "INSERT INTO omix_meta (name, meta_value) VALUES (?, ?)", "b", "2");
                throw new IllegalStateException("fail half-way");
            }));
            assertEquals(List.of("a"), jdbc.query("SELECT name FROM omix_meta WHERE name <> 'master_key_check' ORDER BY name", rs -> rs.getString(1)));
            assertThrows(Jdbc.DataAccessException.class,
                    () -> jdbc.update("INSERT INTO omix_meta (name, meta_value) VALUES (?, ?)", "a", "dup"));
            assertEquals(1, jdbc.queryOne("SELECT COUNT(*) FROM omix_meta WHERE name <> 'master_key_check'", rs -> rs.getInt(1)).orElseThrow());
        }
    }

    /**
     * An opening that may upgrade only new databases (omix admin) refuses one whose schema is older than the build's,
     * naming both versions and what to do, and changes nothing; a server's opening upgrades it. (The newest migration
     * is marked as not applied here: it must stay one that can run twice, as V55's ADD COLUMN IF NOT EXISTS can.)
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void onlyServersAndOmixAdminMigrateUpgradeAnOlderDatabase(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            ServerConfig cfg = ts.server().platform().config();
            Jdbc jdbc = ts.server().platform().database().jdbc();
            String newest = jdbc.queryOne("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1",
                    rs -> rs.getString(1)).orElseThrow();
            jdbc.update("DELETE FROM flyway_schema_history WHERE version = ?", newest);
            ts.server().stop();
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> io.omix.server.Platform.open(cfg, java.time.Clock.systemUTC(), Database.Upgrade.NEW_ONLY).close());
            assertTrue(refused.getMessage().contains("and this omix's at " + newest), refused.getMessage());
            assertTrue(refused.getMessage().contains("omix admin migrate"), refused.getMessage());
            try (OmixServer again = OmixServer.start(cfg.withPort(0))) {
                assertEquals(1, again.platform().database().jdbc().queryOne("SELECT COUNT(*) FROM flyway_schema_history WHERE version = ?",
                        rs -> rs.getInt(1), newest).orElseThrow(), "the server upgraded it");
            }
            io.omix.server.Platform.open(cfg, java.time.Clock.systemUTC(), Database.Upgrade.NEW_ONLY).close();

            // A schema newer than the build's (its servers upgraded, this omix not): refused too, for an older omix admin.
            try (OmixServer again = OmixServer.start(cfg.withPort(0))) {
                again.platform().database().jdbc().update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                        + " installed_by, installed_on, execution_time, success) VALUES (99999, '99999', 'from the future', 'SQL', 'V99999__x.sql',"
                        + " 'test', CURRENT_TIMESTAMP, 0, TRUE)");
            }
            IllegalStateException newer = assertThrows(IllegalStateException.class,
                    () -> io.omix.server.Platform.open(cfg, java.time.Clock.systemUTC(), Database.Upgrade.NEW_ONLY).close());
            assertTrue(newer.getMessage().contains("99999, newer than this omix's"), newer.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void restartingOnTheSameDatabaseKeepsItsData(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            ts.server().platform().database().jdbc().update("INSERT INTO omix_meta (name, meta_value) VALUES (?, ?)", "kept", "yes");
            ServerConfig cfg = ts.server().platform().config();
            ts.server().stop();
            try (OmixServer again = OmixServer.start(cfg.withPort(0))) {
                assertEquals(List.of("yes"), again.platform().database().jdbc()
                        .query("SELECT meta_value FROM omix_meta WHERE name = ?", rs -> rs.getString(1), "kept"));
            }
        }
    }

    /**
     * Snapshots (a person's export reads in one, on a second connection beside its task's) take a quarter of the pool at
     * most: with a task on every worker, exports had taken the whole pool, the tasks' lease heartbeat and every request
     * waiting behind them. The others wait their turn, and a request still gets a connection meanwhile.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void snapshotsTakeAQuarterOfThePoolAtMost(String kind) throws Exception {
        try (TestServer ts = TestServer.builder().database(kind).setting("db.pool-size", "8").start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(5);
            List<java.util.concurrent.Future<Integer>> reads = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                reads.add(readers.submit(() -> jdbc.inSnapshot(c -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    try {
                        release.await();
                        return Jdbc.query(c, "SELECT 1", rs -> rs.getInt(1)).get(0);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        inside.decrementAndGet();
                    }
                })));
            }
            for (int i = 0; i < 200 && inside.get() < 2; i++) Thread.sleep(10);
            Thread.sleep(300);
            assertEquals(2, inside.get(), "two of the pool's eight connections in snapshots, the other three readers waiting");
            assertEquals(List.of(1), jdbc.query("SELECT 1", rs -> rs.getInt(1)), "a request's connection meanwhile");
            release.countDown();
            for (java.util.concurrent.Future<Integer> r : reads) assertEquals(1, r.get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(2, most.get());
            readers.shutdown();
        }
    }
}
