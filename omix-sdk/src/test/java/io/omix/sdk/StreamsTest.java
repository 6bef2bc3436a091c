package io.omix.sdk;

import io.omix.server.samples.SampleStore;
import io.omix.server.testing.Concurrently;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams through the SDK: private writes, reads and ranges, the open platform's phenotype writes and ranges. */
class StreamsTest {
    static final String QT = "45f69871-7d89-11eb-a38f-00163e0eae20";
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    static final Map<String, Object> OBSERVATION = Map.of("resource_type", "Observation", "status", "final",
            "value_quantity", Map.of("unit", "ms", "value", 356));

    static TestServer server;
    static PrivateApi app;
    static PrivateApi otherApp;
    static String namespace;
    static String sample;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        Identity.Client one = Identity.app(server, "STREAM_APP");
        Identity.Client two = Identity.app(server, "OTHER_APP");
        namespace = "STREAM_APP";
        app = PrivateApi.builder(one.id(), one.secret()).endpoint(server.url()).build();
        otherApp = PrivateApi.builder(two.id(), two.secret()).endpoint(server.url()).build();
        String project = new SampleStore(server.server().platform()).createProject("streams", 1, null, null, null).projectId();
        sample = app.registerSample(11, project, "ST-1", Map.of()).getString("biosample_id");
    }

    @AfterAll
    static void stop() {
        app.close();
        otherApp.close();
        server.close();
    }

    static int code(Runnable call) {
        return assertThrows(ApiException.class, call::run).code();
    }

    @Test
    void bindGivesTheSameEntityEveryTime() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        assertTrue(entity.matches("[0-9a-f-]{36}"));
        assertEquals(entity, app.streamBind(sample.toLowerCase()).getString("fundamental_entity_id"));
        assertEquals(41303, code(() -> otherApp.streamBind(sample)));
    }

    @Test
    void aWrittenRecordReadsBackAsTheOriginalPlatformShowsIt() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        String id = app.writeStream(entity, QT, "2017", OBSERVATION, false).getString("stream_id");
        Model r = app.streamRetrieve(id);
        assertEquals("2017-01-01T00:00:00.000000+0800", r.getString("stream_generate_time"));
        assertEquals("1111-00-00T00:00:00.000000±1111", r.getString("stream_generate_time_mask"));
        assertEquals("Q-T间期", r.at("data_element.data_element_name"));
        assertEquals("4.3.11.0", r.at("data_element.data_element_source_id"));
        assertEquals(356, r.at("stream_data.value_quantity.value"));
        assertEquals(namespace, r.at("stream_meta.namespace"));
        assertEquals(entity, r.at("stream_meta.fundamental_entity_id"));
        assertEquals(2, r.getInt("data_type"));
        assertTrue(r.getString("create_time").matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+0800"));
        assertEquals(41001, code(() -> otherApp.streamRetrieve(id)), "another namespace does not see it");
    }

    @Test
    void theSameEntityElementAndTimeIsRefusedUnlessDuplicatesAreEnabled() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        app.writeStream(entity, QT, "1986-05-04 10:00", "{\"name\": \"leo\"}", false);
        ApiException e = assertThrows(ApiException.class, () -> app.writeStream(entity, QT, "1986-05-04T10:00:00+08:00", "{}", false));
        assertTrue(e.dataModel().getString("stream_generate_time").contains("duplicate_enabled"), "the same instant, written another way");
        assertNotEquals(null, app.writeStream(entity, QT, "1986-05-04 10:00", "{}", true).getString("stream_id"));
    }

    @Test
    void writesAreValidated() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        assertTrue(assertThrows(ApiException.class, () -> app.writeStream(entity, QT, "2021-02-30", "{}", false))
                .dataModel().getString("stream_generate_time").startsWith("is not a valid time"));
        assertEquals("no such data element", assertThrows(ApiException.class, () -> app.writeStream(entity,
                "00000000-0000-0000-0000-000000000000", "2021", "{}", false)).dataModel().getString("data_element_id"));
        assertEquals("fundamental_entity_id 不存在", assertThrows(ApiException.class, () -> otherApp.writeStream(entity, QT, "2021", "{}", false))
                .dataModel().getString("fundamental_entity_id"), "another app's entity does not exist for it");
        assertTrue(assertThrows(ApiException.class, () -> app.writeStream(entity, QT, "2021", "{oops", false))
                .dataModel().getString("stream_data").startsWith("must be valid JSON"));
        // However it is sent (JSON text in a form field, or JSON itself), a record's data is at most 256 KiB as JSON: a
        // page of a hundred records stays answerable whole.
        String big = "x".repeat(300_000);
        assertTrue(assertThrows(ApiException.class, () -> app.writeStream(entity, QT, "2021", Map.of("note", big), false))
                .dataModel().getString("stream_data").contains("at most"));
        assertTrue(assertThrows(ApiException.class, () -> app.call(io.omix.sdk.internal.ApiRequest.post("/private/stream/write").json(Map.of(
                "fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "2021", "stream_data", Map.of("note", big)))))
                .dataModel().getString("stream_data").contains("as JSON"));
        ListModel batch = app.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "2021",
                "stream_data", Map.of("note", big))), false).getList("result");
        assertEquals(false, batch.getModel(0).getBoolean("is_succeed"));
        assertTrue(batch.getModel(0).getString("message").contains("at most"), batch.getModel(0).dumps());
        // Measured as stored, not as sent: a text of 100,000 control characters is 600,000 characters written as JSON
        // (accepted before, six times the limit), and numbers written back take more room than sent (1e9 is 1E+9).
        String controls = "\u0001".repeat(100_000);
        ListModel escaped = app.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "2021",
                "stream_data", controls)), false).getList("result");
        assertEquals(false, escaped.getModel(0).getBoolean("is_succeed"), "a text whose escapes pass the limit");
        assertTrue(escaped.getModel(0).getString("message").contains("as JSON"), escaped.getModel(0).dumps());
        String numbers = "[" + String.join(",", java.util.Collections.nCopies(60_000, "1e9")) + "]";   // 239,999 characters sent
        assertTrue(numbers.length() < 256 << 10);
        assertTrue(assertThrows(ApiException.class, () -> app.writeStream(entity, QT, "2021", numbers, false))
                .dataModel().getString("stream_data").contains("as JSON"), "300,000 characters as stored");
        ListModel asText = app.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "2021",
                "stream_data", numbers)), false).getList("result");
        assertEquals(false, asText.getModel(0).getBoolean("is_succeed"), asText.getModel(0).dumps());
        // Nor does a small body escape the measure: 1e-6 is written back as 0.000001, twice as long, so a body of 195,000
        // characters (under the three quarters of a record below which records went unmeasured) stored 351,000.
        String tiny = "[" + String.join(",", java.util.Collections.nCopies(39_000, "1e-6")) + "]";
        ListModel doubled = app.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "2021",
                "stream_data", new com.fasterxml.jackson.databind.util.RawValue(tiny))), false).getList("result");
        assertEquals(false, doubled.getModel(0).getBoolean("is_succeed"), "a record twice as long as sent");
        assertTrue(doubled.getModel(0).getString("message").contains("as JSON"), doubled.getModel(0).dumps());
    }

    @Test
    void oneBadItemNeverSinksTheOthers() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        List<Map<String, Object>> items = List.of(
                Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "1971", "stream_data", Map.of("name", "leo")),
                Map.of("fundamental_entity_id", "d268f9e6-7c8e-11eb-8440-48a47299ee4a", "data_element_id", QT, "stream_generate_time", "1971",
                        "stream_data", Map.of("name", "tom")),
                Map.of("fundamental_entity_id", entity, "data_element_id", QT, "stream_generate_time", "1971-13", "stream_data", Map.of()));
        ListModel result = app.batchWriteStream(items, false).getList("result");
        assertEquals(3, result.size());
        assertEquals(true, result.getModel(0).getBoolean("is_succeed"));
        assertEquals("1971-01-01T00:00:00.000000+0800", result.getModel(0).at("stream.stream_generate_time"));
        String written = (String) result.getModel(0).at("stream.stream_id");
        // Each item as the private platform shows it, field for field and in its order.
        assertEquals("{\"is_succeed\":true,\"message\":\"\",\"stream\":{\"stream_meta\":{\"namespace\":\"STREAM_APP\",\"fundamental_entity_id\":\""
                + entity + "\"},\"stream_generate_time\":\"1971-01-01T00:00:00.000000+0800\",\"stream_id\":\"" + written
                + "\",\"data_element\":{\"data_element_id\":\"" + QT + "\"}}}", result.getModel(0).dumps());
        assertEquals("{\"is_succeed\":false,\"message\":\"fundamental_entity_id 不存在\",\"stream\":{\"stream_meta\":{\"namespace\":\"STREAM_APP\","
                + "\"fundamental_entity_id\":\"d268f9e6-7c8e-11eb-8440-48a47299ee4a\"},\"stream_generate_time\":\"1971-01-01T00:00:00.000000+0800\","
                + "\"stream_id\":null,\"data_element\":{\"data_element_id\":\"" + QT + "\"}}}", result.getModel(1).dumps());
        assertEquals(false, result.getModel(1).getBoolean("is_succeed"));
        assertEquals("fundamental_entity_id 不存在", result.getModel(1).getString("message"));
        assertNull(result.getModel(1).at("stream.stream_id"));
        assertEquals(false, result.getModel(2).getBoolean("is_succeed"));
        assertEquals("leo", app.streamRetrieve(written).at("stream_data.name"));
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) tooMany.add(items.get(0));
        assertEquals(41001, code(() -> app.batchWriteStream(tooMany, true)));
    }

    /**
     * Half of a surrogate pair ("\\ud800" alone in a value or a key) is text no UTF-8 stores or writes: refused where it
     * enters (41001), so that no record of it breaks a later page; a whole pair (an emoji) is written and read back.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void halfASurrogatePairIsRefusedWhereItEnters(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "TEXT_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("t", 1, null, null, null).projectId();
                String id = p.registerSample(11, project, "T-1", Map.of()).getString("biosample_id");
                String entity = p.streamBind(id).getString("fundamental_entity_id");
                for (String data : List.of("{\"note\":\"\\ud800\"}", "{\"note\":\"a\\udc00b\"}", "{\"list\":[\"\\ude00\\ud83d\"]}",
                        "{\"list\":{\"\\ud83d\\ude00\":\"\\ud83d\"}}")) {
                    ApiException refused = assertThrows(ApiException.class, () -> p.writeStream(entity, HEART_RATE, "2024-03-01 08:00", data, false));
                    assertEquals(41001, refused.code(), data);
                    assertTrue(refused.dataModel().getString("stream_data").contains("surrogate"), refused.getMessage());
                }
                // In a key, the parser itself refuses it.
                assertEquals(41001, code(() -> p.writeStream(entity, HEART_RATE, "2024-03-01 08:00", "{\"\\ud83d\":1}", false)));
                ApiException inABatch = assertThrows(ApiException.class, () -> p.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity,
                        "data_element_id", HEART_RATE, "stream_generate_time", "2024-03-01 08:00", "stream_data", Map.of("note", "\ud800"))), false));
                assertEquals(41001, inABatch.code());
                p.writeStream(entity, HEART_RATE, "2024-03-02 08:00", "{\"note\":\"\\ud83d\\ude00\"}", false);
                Model page = p.streamRange("TEXT_APP", HEART_RATE, entity, null, null, null, "asc", null, 10);
                assertEquals(1, page.getInt("count"));
                assertEquals("\ud83d\ude00", page.at("result[0].stream_data.note"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void rangesPageInTimeOrderAndStayRightWhileRecordsArrive(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "RANGE_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("r", 1, null, null, null).projectId();
                String id = p.registerSample(11, project, "R-1", Map.of()).getString("biosample_id");
                String entity = p.streamBind(id).getString("fundamental_entity_id");
                List<Map<String, Object>> items = new ArrayList<>();
                for (int day = 1; day <= 25; day++) {
                    items.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                            "stream_generate_time", String.format("2024-03-%02d 08:00", day), "stream_data", Map.of("value_quantity", Map.of("value", 60 + day))));
                }
                p.batchWriteStream(items, false);
                Model first = p.streamRange("RANGE_APP", HEART_RATE, entity, null, null, null, "asc", null, 10);
                assertEquals(10, first.getList("result").size());
                assertEquals("2024-03-01T08:00:00.000000+0800", first.at("result[0].stream_generate_time"));
                // A record arriving between pages, earlier than the cursor, does not shift what follows.
                p.writeStream(entity, HEART_RATE, "2024-03-01 07:00", "{}", false);
                List<Object> days = new ArrayList<>();
                first.getList("result").models().forEach(m -> days.add(m.at("stream_data.value_quantity.value")));
                Model second = p.streamRange("RANGE_APP", HEART_RATE, entity, null, null, null, "asc", first.getString("next_page"), 10);
                second.getList("result").models().forEach(m -> days.add(m.at("stream_data.value_quantity.value")));
                Model third = p.streamRange("RANGE_APP", HEART_RATE, entity, null, null, null, "asc", second.getString("next_page"), 10);
                third.getList("result").models().forEach(m -> days.add(m.at("stream_data.value_quantity.value")));
                assertNull(third.get("next_page"));
                List<Object> expected = new ArrayList<>();
                for (int day = 1; day <= 25; day++) expected.add(60 + day);
                assertEquals(expected, days);

                Model window = p.streamRange("RANGE_APP", HEART_RATE, null, id, "2024-03-10", "2024-03-12 08:00", "desc", null, null);
                assertEquals(List.of(72, 71, 70), window.getList("result").models().stream().map(m -> m.at("stream_data.value_quantity.value")).toList(),
                        "a closed interval, newest first");
                int all = 0;
                for (Model ignored : p.streams("RANGE_APP", HEART_RATE, entity, null, null, null, "desc")) all++;
                assertEquals(26, all);
            }
        }
    }

    @Test
    void rangeParametersAreChecked() {
        String entity = app.streamBind(sample).getString("fundamental_entity_id");
        assertEquals("give exactly one of fundamental_entity_id and biosample_id", assertThrows(ApiException.class,
                () -> app.streamRange(namespace, QT, entity, sample, null, null, null, null, null)).dataModel().getString("biosample_id"));
        assertEquals("is not this app's namespace", assertThrows(ApiException.class,
                () -> app.streamRange("OTHER_APP", QT, entity, null, null, null, null, null, null)).dataModel().getString("namespace"));
        assertEquals("must not be after end_time", assertThrows(ApiException.class,
                () -> app.streamRange(namespace, QT, entity, null, "2021", "2020", null, null, null)).dataModel().getString("start_time"));
        assertEquals("must be an integer from 1 to 100", assertThrows(ApiException.class,
                () -> app.streamRange(namespace, QT, entity, null, null, null, null, null, 101)).dataModel().getString("limit"));
        assertEquals("is not a next_page this server handed out", assertThrows(ApiException.class,
                () -> app.streamRange(namespace, QT, entity, null, null, null, null, "garbage", null)).dataModel().getString("next_page"));
    }

    @Test
    void aggregatesBucketTheNumericValuesByCalendarPeriod() {
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build(); Api client = o.getCredentialsToken().api()) {
            String project = new SampleStore(server.server().platform()).createProject("agg", 1, null, null, null).projectId();
            String own = client.registerSample("AGG-1", 11, project).getString("biosample_id");
            int[][] values = {{60, 62}, {70}, {}, {80, 90, 100}};   // January .. April 2024
            for (int month = 0; month < values.length; month++) {
                for (int i = 0; i < values[month].length; i++) {
                    client.writePhenotype(own, HEART_RATE, String.format("2024-%02d-%02d 08:00", month + 1, i + 1),
                            Map.of("value_quantity", Map.of("value", values[month][i])), false);
                }
            }
            client.writePhenotype(own, HEART_RATE, "2024-02-20 08:00", Map.of("note", "no number"), false);
            Model months = client.aggregateOmicsData(HEART_RATE, "month", "2024-01-15", "2024-04-30", own, null, null);
            ListModel periods = months.getList("periods");
            assertEquals(4, periods.size(), "aligned to calendar months: January to April");
            assertEquals("2024-01-01T00:00:00.000000+0800", periods.getModel(0).getString("start_time"));
            assertEquals(2, periods.getModel(0).getInt("count"));
            assertEquals(61.0, periods.getModel(0).getDouble("mean"));
            assertEquals(0, periods.getModel(2).getInt("count"));
            assertNull(periods.getModel(2).get("mean"));
            assertEquals(90.0, periods.getModel(3).getDouble("mean"));
            assertEquals(80.0, periods.getModel(3).getDouble("min"));
            assertEquals(100.0, periods.getModel(3).getDouble("max"));
            assertEquals(1, months.getInt("skipped_without_value"));
            client.writePhenotype(own, HEART_RATE, "2025-05-01 08:00", Map.of("value_quantity", Map.of("value", 0.1)), false);
            client.writePhenotype(own, HEART_RATE, "2025-05-02 08:00", Map.of("value_quantity", Map.of("value", 0.2)), false);
            Model may = client.aggregateOmicsData(HEART_RATE, "month", "2025-05", "2025-05-31", own, null, null);
            assertEquals(0.3, may.getList("periods").getModel(0).getDouble("sum"), "exact decimal sums, not 0.30000000000000004");
            Model quarters = client.aggregateOmicsData(HEART_RATE, "quarter", "2024-02", null, own, null, 2);
            assertEquals(3, quarters.getList("periods").getModel(0).getInt("count"), "Q1: 60 and 62 in January, 70 in February");
            assertEquals(3, quarters.getList("periods").getModel(1).getInt("count"));
            assertTrue(assertThrows(ApiException.class, () -> client.aggregateOmicsData(HEART_RATE, "day", "2024-01-01", "2024-12-31", own, null, null))
                    .dataModel().getString("periods").contains("more than 100 periods"));
            assertEquals("give end_time or periods", assertThrows(ApiException.class,
                    () -> client.aggregateOmicsData(HEART_RATE, "day", "2024-01-01", null, own, null, null)).dataModel().getString("periods"));
            assertEquals(41001, assertThrows(ApiException.class,
                    () -> client.aggregateOmicsData(HEART_RATE, "fortnight", "2024", null, own, null, 2)).code());
        }
    }

    /** One aggregate reads at most streams.aggregate-max-records records: a window holding more is refused naming start_time. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anAggregateReadsAtMostItsLimitOfRecords(String kind) {
        try (TestServer s = TestServer.builder().database(kind).setting("streams.aggregate-max-records", "3").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api client = o.getCredentialsToken().api()) {
                String project = new SampleStore(s.server().platform()).createProject("cap", 1, null, null, null).projectId();
                String own = client.registerSample("CAP-1", 11, project).getString("biosample_id");
                for (int day = 1; day <= 4; day++) {
                    client.writePhenotype(own, HEART_RATE, "2024-01-0" + day + " 08:00", Map.of("value_quantity", Map.of("value", 60 + day)), false);
                }
                ApiException refused = assertThrows(ApiException.class,
                        () -> client.aggregateOmicsData(HEART_RATE, "day", "2024-01-01", "2024-01-04", own, null, null));
                assertEquals(41001, refused.code());
                assertEquals("more than 3 records in the window (streams.aggregate-max-records): ask for a shorter window or one biosample_id",
                        refused.dataModel().getString("start_time"));
                Model three = client.aggregateOmicsData(HEART_RATE, "day", "2024-01-01", "2024-01-03", own, null, null);
                assertEquals(3, three.getList("periods").size());
                assertEquals(63.0, three.getList("periods").getModel(2).getDouble("sum"));
            }
        }
    }

    @Test
    void theOpenPlatformWritesPhenotypesWithClientTokensAndReadsRanges() throws Exception {
        VariantsTest.World w = VariantsTest.world(server);
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build(); Api client = o.getCredentialsToken().api()) {
            String project = new SampleStore(server.server().platform()).createProject("open", 1, null, null, null).projectId();
            String own = client.registerSample("OPEN-1", 11, project).getString("biosample_id");
            String id = client.writePhenotype(own, HEART_RATE, "2024-01-02 03:04:05", Map.of("value_quantity", Map.of("value", 61)), false)
                    .getString("stream_id");
            Model range = client.getRangeStream(HEART_RATE, own);
            assertEquals(1, range.getInt("count"));
            Model r = range.getList("result").getModel(0);
            assertEquals(id, r.getString("stream_id"));
            assertEquals("2024-01-02T03:04:05+0800", r.getString("stream_generate_time"));
            assertEquals("1111-11-11T11:11:11.000000±1111", r.getString("stream_generate_time_mask"));
            assertEquals("OPEN_PLATFORM", r.at("stream_meta.namespace"));
            assertEquals("heart rate", r.at("data_element.data_element_name"));
            assertEquals("is required for client-credentials tokens", assertThrows(ApiException.class,
                    () -> client.getRangeStream(HEART_RATE, null)).dataModel().getString("biosample_id"));
            assertEquals(41303, code(() -> client.writePhenotype(w.sample(), HEART_RATE, "2024", "{}", false)), "not the client's sample");
        }
        assertEquals(40014, code(() -> w.owner().writePhenotype(w.sample(), HEART_RATE, "2024", "{}", false)));
        assertEquals(0, w.owner().getRangeStream(HEART_RATE, null).getInt("count"), "a user token may leave out the sample");
        assertEquals(41303, code(() -> w.stranger().getRangeStream(HEART_RATE, w.sample())));
        assertFalse(app.getSamples(null, null, null, null).getList("result").isEmpty());
    }

    /**
     * The two stream writes record the signed request's nonce in the write's own transaction (with the
     * writes of concurrent requests): a replay is refused all the same, alone or sent at once with its
     * original, and a write that wrote nothing or failed still uses up its nonce.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReplayedStreamWriteIsRefusedAndWritesOnce(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "REPLAY_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("replays", 1, null, null, null).projectId();
                String entity = p.streamBind(p.registerSample(11, project, "RP-1", Map.of()).getString("biosample_id")).getString("fundamental_entity_id");
                java.util.function.BiFunction<String, String, java.net.http.HttpRequest> signed = (nonce, body) -> signedWrite(s.url(), a, nonce, body);
                java.util.function.Function<java.net.http.HttpRequest, Model> send = StreamsTest::send;
                java.util.function.IntFunction<String> batchOf = day -> "{\"duplicate_enabled\":false,\"streams\":[{\"fundamental_entity_id\":\"" + entity
                        + "\",\"data_element_id\":\"" + HEART_RATE + "\",\"stream_generate_time\":\"2024-05-" + String.format("%02d", day)
                        + " 08:00\",\"stream_data\":{\"value_quantity\":{\"value\":" + day + "}}}]}";

                java.net.http.HttpRequest first = signed.apply("nonce-batch-replay-0001", batchOf.apply(1));
                Model written = send.apply(first);
                assertEquals(0, written.getInt("code"), written.dumps());
                assertEquals(true, written.at("data.result[0].is_succeed"));
                Model replay = send.apply(first);
                assertEquals(40103, replay.getInt("code"), "the same signed batch again");

                // Four copies of one request sent at once with four requests of their own nonces: one copy passes.
                List<java.net.http.HttpRequest> burst = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    burst.add(i < 4 ? signed.apply("nonce-batch-copy-00001", batchOf.apply(2)) : signed.apply("nonce-batch-own-0000" + i, batchOf.apply(10 + i)));
                }
                List<Integer> codes = Concurrently.atOnce(burst.stream().map(r -> (Callable<Integer>) () -> send.apply(r).getInt("code")).toList());
                ReplayCodes.assertOneCopyPassed(codes, 4);
                assertEquals(6, p.streamRange("REPLAY_APP", HEART_RATE, entity, null, null, null, "asc", null, 100).getList("result").size(),
                        "day 1, day 2 once, and the four of their own");

                // A batch whose only item is refused writes nothing, and its nonce is used up all the same.
                java.net.http.HttpRequest nothing = signed.apply("nonce-batch-empty-0001", batchOf.apply(1).replace(HEART_RATE, "00000000-0000-0000-0000-000000000000"));
                assertEquals(false, send.apply(nothing).at("data.result[0].is_succeed"));
                assertEquals(40103, send.apply(nothing).getInt("code"));
                // The single write: a refused write (the record exists) and a written one, each refused when replayed.
                String form = "fundamental_entity_id=" + entity + "&data_element_id=" + HEART_RATE + "&stream_generate_time=2024-06-01%2008:00&stream_data=%7B%7D";
                java.net.http.HttpRequest one = signed.apply("nonce-write-replay-0001", form);
                assertEquals(0, send.apply(one).getInt("code"));
                assertEquals(40103, send.apply(one).getInt("code"));
                java.net.http.HttpRequest again = signed.apply("nonce-write-replay-0002", form + "&duplicate_enabled=false");
                assertEquals(41001, send.apply(again).getInt("code"), "the record exists");
                assertEquals(40103, send.apply(again).getInt("code"), "refused the second time for its nonce");
                assertEquals(7, p.streamRange("REPLAY_APP", HEART_RATE, entity, null, null, null, "asc", null, 100).getList("result").size());

                // With Idempotency-Keys: a replay is refused before it claims its key, and a copy racing its original
                // frees the key it claimed; either way the real request with that key is served, not a kept refusal.
                java.util.function.BiFunction<java.net.http.HttpRequest, String, java.net.http.HttpRequest> keyed = (r, key) ->
                        java.net.http.HttpRequest.newBuilder(r, (name, value) -> true).header("Idempotency-Key", key).build();
                java.net.http.HttpRequest original = signed.apply("nonce-batch-keyed-0001", batchOf.apply(20));
                assertEquals(0, send.apply(keyed.apply(original, "key-original-1")).getInt("code"));
                assertEquals(40103, send.apply(keyed.apply(original, "key-chosen-by-a-replay")).getInt("code"));
                assertEquals(0, send.apply(keyed.apply(signed.apply("nonce-batch-keyed-0002", batchOf.apply(21)), "key-chosen-by-a-replay")).getInt("code"),
                        "the key the replay named was never taken");
                java.net.http.HttpRequest raced = signed.apply("nonce-batch-keyed-0003", batchOf.apply(22));
                List<String> raceKeys = List.of("key-race-a", "key-race-b", "key-race-c", "key-race-d");
                List<Integer> raceCodes = Concurrently.atOnce(raceKeys.stream()
                        .map(key -> (Callable<Integer>) () -> send.apply(keyed.apply(raced, key)).getInt("code")).toList());
                assertEquals(1, raceCodes.stream().filter(code -> code == 0).count(), "one of the racing copies: " + raceCodes);
                for (String key : raceKeys) {
                    Model answer = send.apply(keyed.apply(signed.apply("nonce-batch-keyed-0004-" + key, batchOf.apply(22)), key));
                    assertEquals(0, answer.getInt("code"), key + ": the first answer kept, or the request served afresh, never a refusal");
                }
            }
        }
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    /** A signed private-platform stream write as sent by hand: a JSON body is a batch_write, a form a single write. */
    static java.net.http.HttpRequest signedWrite(String serverUrl, Identity.Client app, String nonce, String body) {
        java.net.URI uri = java.net.URI.create(serverUrl + (body.startsWith("{") ? "/private/stream/batch_write" : "/private/stream/write"));
        String ts = String.valueOf(java.time.Instant.now().getEpochSecond());
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String canonical = io.omix.sdk.internal.Signing.canonical("POST", uri.getRawPath(), null, bytes, ts, nonce);
        return java.net.http.HttpRequest.newBuilder(uri).header("X-Omix-App-Key", app.id()).header("X-Omix-Timestamp", ts)
                .header("X-Omix-Nonce", nonce).header("X-Omix-Signature",
                        io.omix.sdk.internal.Signing.sign(app.secret().getBytes(java.nio.charset.StandardCharsets.UTF_8), canonical))
                .header("Content-Type", body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static Model send(java.net.http.HttpRequest request) {
        try {
            return Model.parse(HTTP.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies of one signed batch sent at once to two servers of one database: for each nonce, one copy writes. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void copiesOfOneSignedWriteSentToTwoServersAtOnceWriteOnce(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'd');
        try (TestServer first = TestServer.builder().database(kind).setting("security.master-key", key).start()) {
            String url = io.omix.server.testing.TestDatabases.H2.equals(kind)
                    ? io.omix.server.common.db.Database.embeddedUrl(first.dataDir()) : first.server().platform().config().dbUrl();
            try (TestServer second = TestServer.builder().database(kind).setting("db.url", url).setting("security.master-key", key).start()) {
                Identity.Client a = Identity.app(first, "TWO_SERVERS_APP");
                try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(first.url()).build()) {
                    String project = new SampleStore(first.server().platform()).createProject("two", 1, null, null, null).projectId();
                    String entity = p.streamBind(p.registerSample(11, project, "TW-1", Map.of()).getString("biosample_id")).getString("fundamental_entity_id");
                    for (int round = 0; round < 10; round++) {
                        String body = "{\"duplicate_enabled\":true,\"streams\":[{\"fundamental_entity_id\":\"" + entity + "\",\"data_element_id\":\""
                                + HEART_RATE + "\",\"stream_generate_time\":\"2024-07-01 08:" + String.format("%02d", round) + "\",\"stream_data\":{}}]}";
                        String nonce = "nonce-two-servers-" + round + "-xxxxxx";
                        List<java.net.http.HttpRequest> copies = List.of(signedWrite(first.url(), a, nonce, body), signedWrite(second.url(), a, nonce, body),
                                signedWrite(first.url(), a, nonce, body), signedWrite(second.url(), a, nonce, body));
                        List<Integer> codes = Concurrently.atOnce(copies.stream().map(r -> (Callable<Integer>) () -> send(r).getInt("code")).toList());
                        for (int code : codes) assertTrue(code == 0 || code == 40103, "code " + code);
                        assertEquals(1, codes.stream().filter(code -> code == 0).count(), "round " + round + ": one copy of four");
                    }
                    // duplicate_enabled: a second copy that got through would have stored the record twice.
                    assertEquals(10, p.streamRange("TWO_SERVERS_APP", HEART_RATE, entity, null, null, null, "asc", null, 100).getList("result").size());
                }
            }
        }
    }

    /**
     * A write repeating records that exist is answered with its duplicates inside its commit group, and the writes
     * sharing the group are written with it. Before, one such request failed its group's transaction and sent every
     * request of the group down the slow path (a transaction each), so a client repeating one batch steadily took the
     * group commit's gain from every other writer: now no write goes on its own.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aWriteRepeatingRecordsGoesAloneWithoutTakingItsGroupAlong(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client writer = Identity.app(s, "GROUP_APP");
            try (PrivateApi p = PrivateApi.builder(writer.id(), writer.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("groups", 1, null, null, null).projectId();
                List<String> entities = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    entities.add(p.streamBind(p.registerSample(11, project, "GR-" + i, Map.of()).getString("biosample_id")).getString("fundamental_entity_id"));
                }
                List<Map<String, Object>> repeated = heartRates(entities.get(0), 5, 0);
                p.batchWriteStream(repeated, false);
                io.micrometer.core.instrument.Counter alone = s.server().platform().metrics().find("omix.streams.written_alone").counter();
                double aloneBefore = alone.count();
                int rounds = 20;
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
                try {
                    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                    for (int w = 0; w < 8; w++) {
                        int writerNo = w;
                        done.add(pool.submit(() -> {
                            for (int round = 0; round < rounds; round++) {
                                if (writerNo < 2) {
                                    ListModel answer = p.batchWriteStream(repeated, false).getList("result");
                                    for (int i = 0; i < answer.size(); i++) {
                                        assertEquals(false, answer.getModel(i).getBoolean("is_succeed"), answer.getModel(i).dumps());
                                        assertTrue(answer.getModel(i).getString("message").contains("duplicate_enabled"), answer.getModel(i).dumps());
                                    }
                                } else {
                                    List<Map<String, Object>> fresh = new ArrayList<>();
                                    for (Map<String, Object> item : heartRates(entities.get(writerNo - 1), 5, 0)) {
                                        Map<String, Object> at = new java.util.HashMap<>(item);
                                        at.put("stream_generate_time", String.format("2024-%02d-%02d %s", 1 + round / 28, 1 + round % 28,
                                                ((String) item.get("stream_generate_time")).substring(11)));
                                        fresh.add(at);
                                    }
                                    ListModel answer = p.batchWriteStream(fresh, false).getList("result");
                                    for (int i = 0; i < answer.size(); i++) {
                                        assertEquals(true, answer.getModel(i).getBoolean("is_succeed"), answer.getModel(i).dumps());
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                    for (java.util.concurrent.Future<?> f : done) f.get();
                } finally {
                    pool.shutdown();
                }
                assertEquals(0.0, alone.count() - aloneBefore, "no write went on its own");
                for (int w = 2; w < 8; w++) {
                    assertEquals(5 * rounds, p.streamRange("GROUP_APP", HEART_RATE, entities.get(w - 1), null, null, null, "asc", null, 100)
                            .getList("result").size());
                }
                assertEquals(5, p.streamRange("GROUP_APP", HEART_RATE, entities.get(0), null, null, null, "asc", null, 100).getList("result").size());
            }
        }
    }

    static List<Map<String, Object>> heartRates(String entity, int n, int from) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            items.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                    "stream_generate_time", String.format("2024-05-01 %02d:00", i), "stream_data", Map.of("value_quantity", Map.of("value", 60 + i))));
        }
        return items;
    }

    /**
     * A private app's namespace holds at most streams.max-records-per-namespace records: a write beyond what a server
     * knows of is refused whole (41401). Each server knows housekeeping's last count and its own writes since, so two
     * servers may each take room before the count (a soft quota); after it, neither takes more. Another app's
     * namespace has its own room (the open platform counts by sample instead: FhirTest).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aNamespaceHoldsNoMoreStreamRecordsThanItsQuotaOnceCounted(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'q');
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer first = TestServer.builder().database(kind).clock(clock).setting("security.master-key", key)
                .setting("streams.max-records-per-namespace", "10").setting("housekeeping.interval-seconds", "0").start()) {
            String url = io.omix.server.testing.TestDatabases.H2.equals(kind)
                    ? io.omix.server.common.db.Database.embeddedUrl(first.dataDir()) : first.server().platform().config().dbUrl();
            try (TestServer second = TestServer.builder().database(kind).clock(clock).setting("db.url", url).setting("security.master-key", key)
                    .setting("streams.max-records-per-namespace", "10").setting("housekeeping.interval-seconds", "0").start()) {
                Identity.Client a = Identity.app(first, "QUOTA_STREAMS");
                Identity.Client b = Identity.app(first, "ROOMY_STREAMS");
                try (PrivateApi p1 = PrivateApi.builder(a.id(), a.secret()).endpoint(first.url()).build();
                     PrivateApi p2 = PrivateApi.builder(a.id(), a.secret()).endpoint(second.url()).build();
                     PrivateApi other = PrivateApi.builder(b.id(), b.secret()).endpoint(first.url()).build()) {
                    String project = new SampleStore(first.server().platform()).createProject("quota", 1, null, null, null).projectId();
                    String entity = p1.streamBind(p1.registerSample(11, project, "SQ-1", Map.of()).getString("biosample_id")).getString("fundamental_entity_id");
                    java.util.function.Supplier<Integer> stored = () -> p1.streamRange("QUOTA_STREAMS", HEART_RATE, entity, null, null, null, "asc", null, 100)
                            .getList("result").size();

                    p1.batchWriteStream(heartRates(entity, 4, 0), false);
                    ApiException over = assertThrows(ApiException.class, () -> p1.batchWriteStream(heartRates(entity, 7, 4), false));
                    assertEquals(Codes.QUOTA_EXCEEDED, over.code(), over.getMessage());
                    assertTrue(over.getMessage().contains("streams.max-records-per-namespace"), over.getMessage());
                    assertEquals(4, stored.get(), "the refused write stored none of its records");
                    p2.batchWriteStream(heartRates(entity, 6, 4), false); // the other server has not seen the first's four yet
                    assertEquals(10, stored.get());

                    assertEquals(0L, first.server().housekeeping().runNow().get("stream_usage"));
                    clock.advance(java.time.Duration.ofSeconds(11)); // both servers read the count again
                    assertEquals(Codes.QUOTA_EXCEEDED, assertThrows(ApiException.class,
                            () -> p1.writeStream(entity, HEART_RATE, "2024-06-01 08:00", "{}", false)).code());
                    assertEquals(Codes.QUOTA_EXCEEDED, assertThrows(ApiException.class,
                            () -> p2.writeStream(entity, HEART_RATE, "2024-06-01 08:00", "{}", false)).code());
                    assertEquals(10, stored.get());

                    String otherProject = new SampleStore(first.server().platform()).createProject("roomy", 1, null, null, null).projectId();
                    String otherEntity = other.streamBind(other.registerSample(11, otherProject, "SR-1", Map.of()).getString("biosample_id"))
                            .getString("fundamental_entity_id");
                    other.batchWriteStream(heartRates(otherEntity, 10, 0), false); // its own room
                }
            }
        }
    }

    @Test
    void onlyTheStreamWritesTakeTheNonceIntoTheirWrite() {
        List<String> routes = server.server().routeTable().stream().filter(io.omix.server.common.http.Routes.Route::nonceInWrite)
                .map(r -> r.method() + " " + r.path()).sorted().toList();
        assertEquals(List.of("POST /private/stream/batch_write", "POST /private/stream/write"), routes,
                "a route here must write only through a transaction that records the nonce (StreamStore.write with it)");
    }
}
