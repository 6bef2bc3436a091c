package io.omix.server.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Observations written through FHIR before V42 kept their writer's references in the payload (the person's account id,
 * or the writer's pseudonym for them), where every other reader of the record found them: the upgrade takes them out,
 * and leaves the measurement, and the payloads of other writers, as they were.
 */
class ObservationReferencesUpgradeTest {
    private static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    private static final String WRITTEN_BY_FHIR = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":"
            + "\"http://loinc.org\",\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/u-account-id\"},\"specimen\":{\"reference\":"
            + "\"Specimen/E-B19137107158\"},\"performer\":[{\"reference\":\"Patient/u-account-id\"}],\"effectiveDateTime\":\"2025-01-01T07:30:00+08:00\","
            + "\"valueQuantity\":{\"value\":61,\"unit\":\"beats/minute\"},\"note\":[{\"text\":\"after a run\",\"authorReference\":{\"reference\":"
            + "\"Patient/u-account-id\"}}]}";
    /** A private app's own payload that happens to look alike: its namespace's records are its own, not rewritten. */
    private static final String PRIVATE = "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/its-own-id\"}}";

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void fhirWrittenPayloadsLoseTheirWritersReferences(String kind) throws Exception {
        OffsetDateTime now = OffsetDateTime.now();
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("41", c -> {
            Jdbc.update(c, "INSERT INTO stream_series (series_id, namespace, entity_id, data_element_id) VALUES (901, 'OPEN_PLATFORM', 'entity-1', ?)", HEART_RATE);
            Jdbc.update(c, "INSERT INTO stream_series (series_id, namespace, entity_id, data_element_id) VALUES (902, 'app-namespace', 'entity-1', ?)", HEART_RATE);
            String insert = "INSERT INTO stream_records (stream_key, series_id, generate_time, generate_offset, generate_mask, stream_data, create_time, dup_seq)"
                    + " VALUES (?, ?, ?, 28800, 'SECOND', ?, ?, 0)";
            Jdbc.update(c, insert, 9001L, 901L, now, WRITTEN_BY_FHIR, now);
            Jdbc.update(c, insert, 9002L, 901L, now.plusSeconds(1), "{\"value\": 3, \"subject\": \"a word, not a reference\"}", now);
            Jdbc.update(c, insert, 9003L, 902L, now, PRIVATE, now);
        }).start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            java.util.function.LongFunction<String> data = key -> jdbc.queryOne("SELECT stream_data FROM stream_records WHERE stream_key = ?",
                    rs -> rs.getString(1), key).orElseThrow();
            JsonNode upgraded = ServerJson.MAPPER.readTree(data.apply(9001L));
            assertFalse(upgraded.toString().contains("u-account-id"), upgraded.toString());
            assertFalse(upgraded.has("subject") || upgraded.has("specimen") || upgraded.has("performer"), upgraded.toString());
            assertEquals(61, upgraded.at("/valueQuantity/value").asInt(), "the measurement stays");
            assertEquals("8867-4", upgraded.at("/code/coding/0/code").asText());
            assertEquals("2025-01-01T07:30:00+08:00", upgraded.path("effectiveDateTime").asText());
            assertEquals("after a run", upgraded.at("/note/0/text").asText(), "a note's text stays, its author does not");
            assertFalse(upgraded.at("/note/0").has("authorReference"));
            assertEquals("{\"value\": 3, \"subject\": \"a word, not a reference\"}", data.apply(9002L), "not an Observation: as it was");
            assertEquals(PRIVATE, data.apply(9003L), "a private app's own records: as they were");
        }
    }
}
