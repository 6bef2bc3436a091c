package io.omix.server.streams;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.common.time.PartialTime;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ranges over one series walk its index; over several (a user's samples) they merge by time. */
class StreamStoreTest {
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    static final String WEIGHT = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02";
    static final String ONE = "11111111-1111-4111-8111-111111111111";
    static final String TWO = "22222222-2222-4222-8222-222222222222";

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void rangesOverSeveralEntitiesMergeByTimeAndPageByCursor(String kind) {
        try (TestServer ts = TestServer.start(kind)) {
            StreamStore store = new StreamStore(ts.server().platform());
            List<StreamStore.NewRecord> records = new ArrayList<>();
            for (int day = 1; day <= 6; day++) {
                // entity ONE on odd days, TWO on even days; a weight record that no heart-rate range may show
                records.add(record(day % 2 == 1 ? ONE : TWO, HEART_RATE, day));
                records.add(record(ONE, WEIGHT, day));
            }
            store.write("APP", records, false);

            List<Integer> days = new ArrayList<>();
            StreamStore.Cursor cursor = null;
            for (int page = 0; page < 3; page++) {
                List<StreamStore.Record> got = store.range("APP", List.of(ONE, TWO), HEART_RATE, null, null, true, cursor, 2);
                got.forEach(r -> days.add(r.data().path("day").asInt()));
                StreamStore.Record last = got.get(got.size() - 1);
                cursor = new StreamStore.Cursor(last.generateTime(), last.dupSeq());
            }
            assertEquals(List.of(1, 2, 3, 4, 5, 6), days, "both entities' records in one time order, two a page");
            assertEquals(List.of(), store.range("APP", List.of(ONE, TWO), HEART_RATE, null, null, true, cursor, 2));

            List<StreamStore.Record> newestOfOne = store.range("APP", List.of(ONE), HEART_RATE, null, null, false, null, 2);
            assertEquals(List.of(5, 3), newestOfOne.stream().map(r -> r.data().path("day").asInt()).toList(), "one entity, newest first");
            assertEquals(List.of(ONE, ONE), newestOfOne.stream().map(StreamStore.Record::entityId).toList());
            assertEquals(6, store.range("APP", List.of(ONE), WEIGHT, null, null, true, null, 100).size());
        }
    }

    private static StreamStore.NewRecord record(String entity, String element, int day) {
        return new StreamStore.NewRecord(entity, element, PartialTime.parse(String.format("2024-05-%02d 08:00", day)),
                JsonNodeFactory.instance.objectNode().put("day", day));
    }
}
