package io.omix.server.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.common.time.PartialTime;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stream records in the database. Ranges over one series walk its index; over several (a user's
 * samples) they merge by time. V14 moved records to numbered series and numeric keys: records
 * written before keep the ids their writers were given, stay readable and in order, and still count
 * for the duplicate rule; new ids are sealed keys.
 */
class StreamStoreTest {
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    static final String WEIGHT = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02";
    static final String ONE = "11111111-1111-4111-8111-111111111111";
    static final String TWO = "22222222-2222-4222-8222-222222222222";

    static final String ENTITY = "6f1c2a9e-0d7b-4c53-9a61-3f0e8b2d4c17";
    static final String LEGACY_1 = "018f3a2b-7c00-7abc-8def-0123456789ab";
    static final String LEGACY_2 = "018f3a2b-7c01-7abc-8def-0123456789ac";
    static final String LEGACY_DUP = "018f3a2b-7c02-7abc-8def-0123456789ad";

    /** Entities are a sample's: each id given becomes the entity of a sample of its own (a write refuses any other). */
    static void entitiesOfSamples(TestServer ts, String... entityIds) {
        var platform = ts.server().platform();
        String clientId = new io.omix.server.oauth.ClientStore(platform).create("streams-test", List.of("http://127.0.0.1/cb"),
                java.util.Set.of("authorization_code"), java.util.Set.of("samples"), false, null).client().clientId();
        var person = new io.omix.server.users.UserStore(platform).create("streams" + Math.abs(entityIds[0].hashCode() % 100000),
                "streams-password-1", io.omix.server.users.User.Profile.EMPTY, false);
        var samples = new io.omix.server.samples.SampleStore(platform);
        String project = samples.createProject("streams", 1, null, null, null).projectId();
        new io.omix.server.oauth.ConsentStore(platform).remember(person.userId(), clientId, java.util.Set.of("samples"));
        for (String entity : entityIds) {
            String sample = samples.register(io.omix.server.common.auth.Caller.userToken(clientId, person.userId(), java.util.Set.of("samples")),
                    new io.omix.server.samples.SampleStore.Registration("S-" + entity.substring(0, 8), 11, project, false, 1, null, java.util.Map.of()));
            platform.database().jdbc().update("INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?, ?)", sample, entity);
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void recordsWrittenBeforeTheUpgradeKeepTheirIdsOrderAndDuplicateRule(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("13", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO streams (stream_id, namespace, entity_id, data_element_id, generate_time, "
                    + "generate_offset, generate_mask, stream_data, create_time, dup_seq) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                Object[][] rows = {
                        {LEGACY_1, "APP_A", ENTITY, HEART_RATE, OffsetDateTime.parse("2024-01-01T08:00:00+08:00"), 28800, "1111-11-11T11:11:00.000000+1111", "{\"v\":1}", OffsetDateTime.parse("2024-01-02T00:00:00Z"), 0L},
                        {LEGACY_2, "APP_A", ENTITY, HEART_RATE, OffsetDateTime.parse("2024-01-03T08:00:00+08:00"), 28800, "1111-11-11T11:11:00.000000+1111", "{\"v\":3}", OffsetDateTime.parse("2024-01-04T00:00:00Z"), 0L},
                        {LEGACY_DUP, "APP_A", ENTITY, HEART_RATE, OffsetDateTime.parse("2024-01-03T08:00:00+08:00"), 28800, "1111-11-11T11:11:00.000000+1111", "{\"v\":33}", OffsetDateTime.parse("2024-01-04T00:00:00Z"), 987654321L},
                };
                for (Object[] row : rows) {
                    for (int i = 0; i < row.length; i++) ps.setObject(i + 1, row[i]);
                    ps.executeUpdate();
                }
            }
        }).start()) {
            entitiesOfSamples(ts, ENTITY);
            StreamStore store = new StreamStore(ts.server().platform());

            StreamStore.Record old = store.find(LEGACY_1).orElseThrow();
            assertEquals(LEGACY_1, old.streamId());
            assertEquals("APP_A", old.namespace());
            assertEquals(ENTITY, old.entityId());
            assertEquals("heart rate", old.element().name());
            assertEquals(1, old.data().path("v").asInt());

            // The duplicate rule holds across the upgrade: the same entity, element and time is refused.
            StreamStore.Written refused = store.write("APP_A", List.of(record(ENTITY, HEART_RATE, "2024-01-01 08:00", 2)), false).get(0);
            assertNotNull(refused.problem());
            assertNull(refused.streamId());

            StreamStore.Written fresh = store.write("APP_A", List.of(record(ENTITY, HEART_RATE, "2024-01-02 08:00", 2)), false).get(0);
            assertNull(fresh.problem());
            assertTrue(fresh.streamId().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), fresh.streamId());
            assertEquals(2, store.find(fresh.streamId()).orElseThrow().data().path("v").asInt());

            List<StreamStore.Record> page = store.range("APP_A", List.of(ENTITY), HEART_RATE, null, null, true, null, 10);
            assertEquals(List.of(LEGACY_1, fresh.streamId(), LEGACY_2, LEGACY_DUP), page.stream().map(StreamStore.Record::streamId).toList(),
                    "old and new records in one time order, old ones under their old ids");
            assertEquals(List.of(), store.range("APP_B", List.of(ENTITY), HEART_RATE, null, null, true, null, 10), "another namespace sees none");

            // Ids are sealed keys: consecutive ones look unrelated, and a changed or unknown id finds nothing.
            StreamStore.Written next = store.write("APP_A", List.of(record(ENTITY, HEART_RATE, "2024-01-05 08:00", 5)), false).get(0);
            assertNotEquals(fresh.streamId().substring(0, 8), next.streamId().substring(0, 8));
            char last = next.streamId().charAt(35);
            assertTrue(store.find(next.streamId().substring(0, 35) + (last == '0' ? '1' : '0')).isEmpty());
            assertTrue(store.find(UUID.randomUUID().toString()).isEmpty());

            // A second store (another server on the same database) reads the first one's ids and never reuses its keys.
            StreamStore other = new StreamStore(ts.server().platform());
            assertEquals(5, other.find(next.streamId()).orElseThrow().data().path("v").asInt());
            StreamStore.Written fromOther = other.write("APP_A", List.of(record(ENTITY, HEART_RATE, "2024-01-06 08:00", 6)), false).get(0);
            assertNull(fromOther.problem());
            assertEquals(6, store.find(fromOther.streamId()).orElseThrow().data().path("v").asInt());
            assertEquals(6, store.range("APP_A", List.of(ENTITY), HEART_RATE, null, null, true, null, 10).size());
        }
    }

    static String sampleOf(TestServer ts, String entity) {
        return ts.server().platform().database().jdbc().queryOne("SELECT biosample_id FROM sample_entities WHERE entity_id = ?",
                rs -> rs.getString(1), entity).orElseThrow();
    }

    /**
     * A write never lands in a series nothing lists or erases: one waiting on an erasure in flight is refused once the
     * erasure is in; a series this server remembered, removed by an erasure and made anew by a restore, is looked up again,
     * by writes and by reads.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void writesNeverLandInASeriesAnErasureRemoved(String kind) throws Exception {
        try (TestServer ts = TestServer.start(kind)) {
            entitiesOfSamples(ts, ONE);
            var platform = ts.server().platform();
            StreamStore store = new StreamStore(platform);
            assertNull(store.write("APP", List.of(record(ONE, HEART_RATE, "2024-06-01 08:00", 1)), false).get(0).problem());
            StreamStore reader = new StreamStore(platform);   // another server's, or the one a restore did not write through
            assertEquals(1, reader.range("APP", List.of(ONE), HEART_RATE, null, null, true, null, 10).size(), "it remembers the series");

            // An erasure of the sample in flight: its entity and series locked, its records and rows deleted, not yet committed.
            String sample = sampleOf(ts, ONE);
            try (java.sql.Connection erasing = platform.database().dataSource().getConnection()) {
                erasing.setAutoCommit(false);
                io.omix.server.common.db.Jdbc.query(erasing, "SELECT entity_id FROM sample_entities WHERE entity_id = ? FOR UPDATE", rs -> 1, ONE);
                io.omix.server.common.db.Jdbc.query(erasing, "SELECT series_id FROM stream_series WHERE entity_id = ? FOR UPDATE", rs -> 1, ONE);
                io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM stream_records WHERE series_id IN (SELECT series_id FROM stream_series WHERE entity_id = ?)", ONE);
                io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM stream_series WHERE entity_id = ?", ONE);
                io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM sample_entities WHERE entity_id = ?", ONE);
                java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
                java.util.concurrent.Future<List<StreamStore.Written>> writing = writers.submit(() ->
                        store.write("APP", List.of(record(ONE, HEART_RATE, "2024-06-02 08:00", 2)), false));
                // And a write of a kind of measurement the entity never had: its series would be made on the way.
                java.util.concurrent.Future<List<StreamStore.Written>> newKind = writers.submit(() ->
                        store.write("APP", List.of(record(ONE, WEIGHT, "2024-06-02 08:00", 70)), false));
                Thread.sleep(300);
                org.junit.jupiter.api.Assertions.assertFalse(writing.isDone(), "the write waits for the entity's row");
                org.junit.jupiter.api.Assertions.assertFalse(newKind.isDone(), "so does the one making a series");
                erasing.commit();
                for (var w : List.of(writing, newKind)) {
                    java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> w.get(10, java.util.concurrent.TimeUnit.SECONDS));
                    assertTrue(refused.getCause() instanceof io.omix.server.common.http.ApiException, refused.toString());
                }
                writers.shutdown();
            }
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM stream_series WHERE entity_id = ?", rs -> rs.getLong(1), ONE)
                    .orElseThrow(), "no series of the erased entity");
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM stream_records WHERE series_id NOT IN (SELECT series_id FROM stream_series)",
                    rs -> rs.getLong(1)).orElseThrow(), "no record outside a series");

            // A restore makes the entity anew for a sample (its series too, at first write): this store still remembers the old series.
            platform.database().jdbc().update("INSERT INTO sample_entities (biosample_id, entity_id) VALUES (?, ?)", sample, ONE);
            StreamStore.Written again = store.write("APP", List.of(record(ONE, HEART_RATE, "2024-06-03 08:00", 3)), false).get(0);
            assertNull(again.problem());
            assertEquals(List.of(3), store.range("APP", List.of(ONE), HEART_RATE, null, null, true, null, 10).stream()
                    .map(r -> r.data().path("v").asInt()).toList(), "the record is in the series that is listed");
            assertEquals(List.of(3), reader.range("APP", List.of(ONE), HEART_RATE, null, null, true, null, 10).stream()
                    .map(r -> r.data().path("v").asInt()).toList(), "a reader that remembered the removed series looks again");
        }
    }

    /** A write waiting on a row an erasure holds waits alone: writes to other entities go on meanwhile (the group never waits). */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aWriteWaitingOnAnErasureHoldsUpNoOtherWrite(String kind) throws Exception {
        try (TestServer ts = TestServer.start(kind)) {
            entitiesOfSamples(ts, ONE, TWO);
            var platform = ts.server().platform();
            StreamStore store = new StreamStore(platform);
            try (java.sql.Connection erasing = platform.database().dataSource().getConnection()) {
                erasing.setAutoCommit(false);
                io.omix.server.common.db.Jdbc.query(erasing, "SELECT entity_id FROM sample_entities WHERE entity_id = ? FOR UPDATE", rs -> 1, ONE);
                java.util.concurrent.CompletableFuture<List<StreamStore.Written>> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                        store.write("APP", List.of(record(ONE, HEART_RATE, "2024-07-01 08:00", 1)), false));
                Thread.sleep(200);
                for (int i = 0; i < 5; i++) {
                    assertNull(store.write("APP", List.of(record(TWO, HEART_RATE, String.format("2024-07-%02d 08:00", i + 1), i)), false).get(0).problem());
                }
                org.junit.jupiter.api.Assertions.assertFalse(waiting.isDone(), "the write to the held entity still waits");
                erasing.rollback();
                assertNull(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).get(0).problem(), "and is written once the erasure lets go");
            }
        }
    }

    /**
     * Ranges over several entities merge by time and page by cursor, the same whether the database sorts the matching
     * records in one statement or each series is read along its index and merged here (a few series always, more beyond
     * {@link StreamStore#SORTED_AT_ONCE} records; forced one way and the other here).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void rangesOverSeveralEntitiesMergeByTimeAndPageByCursor(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            entitiesOfSamples(ts, ONE, TWO);
            StreamStore store = new StreamStore(ts.server().platform());
            List<StreamStore.NewRecord> records = new ArrayList<>();
            for (int day = 1; day <= 6; day++) {
                // entity ONE on odd days, TWO on even days; a weight record that no heart-rate range may show
                records.add(record(day % 2 == 1 ? ONE : TWO, HEART_RATE, String.format("2024-05-%02d 08:00", day), day));
                records.add(record(ONE, WEIGHT, String.format("2024-05-%02d 08:00", day), day));
            }
            store.write("APP", records, false);
            // Records of both entities at one instant (a partial time, say, on midnight): one a page, none is skipped.
            store.write("APP", List.of(record(ONE, HEART_RATE, "2024-06-01", 101), record(TWO, HEART_RATE, "2024-06-01", 102),
                    record(ONE, HEART_RATE, "2024-06-02", 103)), false);
            OffsetDateTime may = OffsetDateTime.parse("2024-05-20T00:00:00Z");

            for (boolean merged : new boolean[] {false, true}) {
                store.alwaysMerged = merged ? Integer.MAX_VALUE : 0;
                store.sortedAtOnce = merged ? 0 : Integer.MAX_VALUE - 1;
                String how = merged ? "merged here" : "sorted by the database";
                for (boolean ascending : new boolean[] {true, false}) {
                    List<Integer> days = new ArrayList<>();
                    StreamStore.Cursor cursor = null;
                    for (int page = 0; page < 3; page++) {
                        List<StreamStore.Record> got = store.range("APP", List.of(ONE, TWO), HEART_RATE, null, may, ascending, cursor, 2);
                        got.forEach(r -> days.add(r.data().path("v").asInt()));
                        cursor = store.cursorAfter(got.get(got.size() - 1));
                    }
                    assertEquals(ascending ? List.of(1, 2, 3, 4, 5, 6) : List.of(6, 5, 4, 3, 2, 1), days,
                            "both entities' records in one time order, two a page, " + how);
                    assertEquals(List.of(), store.range("APP", List.of(ONE, TWO), HEART_RATE, null, may, ascending, cursor, 2), how);
                }

                List<StreamStore.Record> newestOfOne = store.range("APP", List.of(ONE), HEART_RATE, null, may, false, null, 2);
                assertEquals(List.of(5, 3), newestOfOne.stream().map(r -> r.data().path("v").asInt()).toList(), "one entity, newest first");
                assertEquals(List.of(ONE, ONE), newestOfOne.stream().map(StreamStore.Record::entityId).toList());
                assertEquals(6, store.range("APP", List.of(ONE), WEIGHT, null, null, true, null, 100).size());
                assertEquals(List.of(1, 2, 3, 4, 5, 6, 101, 102, 103), store.range("APP", List.of(ONE, TWO), HEART_RATE, null, null, true, null, 100)
                        .stream().map(r -> r.data().path("v").asInt()).sorted().toList(), "a page larger than everything, " + how);

                for (boolean ascending : new boolean[] {true, false}) {
                    List<Integer> same = new ArrayList<>();
                    StreamStore.Cursor at = null;
                    for (int page = 0; page < 5; page++) {
                        List<StreamStore.Record> got = store.range("APP", List.of(ONE, TWO), HEART_RATE,
                                PartialTime.parse("2024-06-01").resolve(java.time.ZoneOffset.UTC).minusDays(1), null, ascending, at, 1);
                        if (got.isEmpty()) break;
                        same.add(got.get(0).data().path("v").asInt());
                        at = store.cursorAfter(got.get(0));
                    }
                    java.util.Collections.sort(same);
                    assertEquals(List.of(101, 102, 103), same, "every record of the instant, " + (ascending ? "oldest" : "newest") + " first, " + how);
                }
            }
        }
    }

    /**
     * Merged here, each series is read a few records at a time and read on as the merge draws from it: forty records of each
     * of two entities (some at the same instant) and one of a third, paged seven at a time both ways within a time window,
     * come out in the order the database's sort gives, each once.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aMergeReadsOnInEachSeriesAndPagesAsTheDatabasesSortDoes(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            String three = "33333333-3333-4333-8333-333333333333";
            entitiesOfSamples(ts, ONE, TWO, three);
            StreamStore store = new StreamStore(ts.server().platform());
            store.leastRead = 2;   // five records of a series at a time for a page of seven: read on within the page
            List<StreamStore.NewRecord> records = new ArrayList<>();
            records.add(record(three, HEART_RATE, "2024-07-01 05:00", 999));   // a third series, nearly empty
            for (int i = 0; i < 40; i++) {
                // Entity ONE every five minutes: a page draws more of it than a merge reads at first.
                records.add(record(ONE, HEART_RATE, String.format("2024-07-01 %02d:%02d", i / 12, (i % 12) * 5), i));
                // Entity TWO every twenty minutes: some of its records share an instant with ONE's.
                records.add(record(TWO, HEART_RATE, String.format("2024-07-01 %02d:%02d", i / 3, (i % 3) * 20), 100 + i));
            }
            store.write("APP", records, false);
            OffsetDateTime from = OffsetDateTime.parse("2024-07-01T01:00:00+08:00");
            OffsetDateTime to = OffsetDateTime.parse("2024-07-01T09:40:00+08:00");
            for (boolean ascending : new boolean[] {true, false}) {
                List<List<Integer>> both = new ArrayList<>();
                for (boolean merged : new boolean[] {false, true}) {
                    store.alwaysMerged = merged ? Integer.MAX_VALUE : 0;
                    store.sortedAtOnce = merged ? 0 : Integer.MAX_VALUE - 1;
                    List<Integer> seen = new ArrayList<>();
                    StreamStore.Cursor cursor = null;
                    for (int page = 0; page < 30; page++) {
                        List<StreamStore.Record> got = store.range("APP", List.of(ONE, TWO, three), HEART_RATE, from, to, ascending, cursor, 7);
                        if (got.isEmpty()) break;
                        got.forEach(r -> seen.add(r.data().path("v").asInt()));
                        cursor = store.cursorAfter(got.get(got.size() - 1));
                    }
                    both.add(seen);
                }
                assertEquals(both.get(0), both.get(1), (ascending ? "oldest" : "newest") + " first: merged here as the database sorts");
                assertEquals(new java.util.HashSet<>(both.get(1)).size(), both.get(1).size(), "each once");
                // ONE: 01:00 to 03:15 every 5 minutes is i = 12..39 (28 records); TWO: 01:00 to 09:40 every 20 minutes is i = 3..29 (27).
                assertEquals(28 + 27 + 1, both.get(1).size(), both.get(1).toString());
            }
        }
    }

    private static StreamStore.NewRecord record(String entity, String element, String time, int value) {
        return new StreamStore.NewRecord(entity, element, PartialTime.parse(time), JsonNodeFactory.instance.objectNode().put("v", value));
    }

    /**
     * An export reads a person's records a hundred a statement: each statement must walk the records' index in order and
     * stop at its limit on the embedded store, which holds a statement's whole result before its first row (one statement
     * for all of a person's records, of up to 256 KiB each, held them all).
     */
    @org.junit.jupiter.api.Test
    void anExportsStatementsWalkTheRecordsIndex() {
        try (TestServer ts = TestServer.start()) {
            var jdbc = ts.server().platform().database().jdbc();
            for (String sql : List.of(StreamStore.EXPORT_FIRST, StreamStore.EXPORT_NEXT)) {
                Object[] args = sql.equals(StreamStore.EXPORT_FIRST) ? new Object[] {7L} : new Object[] {7L, OffsetDateTime.parse("2025-01-01T00:00:00Z"), 3L};
                String plan = jdbc.withConnection(c -> io.omix.server.common.db.Jdbc.query(c, "EXPLAIN " + sql, rs -> rs.getString(1), args).get(0));
                assertTrue(plan.contains("/* index sorted */"), plan);
            }
        }
    }
}
