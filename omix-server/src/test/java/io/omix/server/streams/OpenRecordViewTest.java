package io.omix.server.streams;

import com.fasterxml.jackson.databind.util.RawValue;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.io.SerializedString;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Records written field by field must be, byte for byte, the maps of fields stream_range and stream_retrieve answered
 * before (built here from the same records as the maps were): names, order, nulls, text of every script (a character
 * beyond the Basic Multilingual Plane, a lone surrogate), raw data, times.
 */
class OpenRecordViewTest {
    private static final ZoneOffset ZONE = ZoneOffset.ofHours(8);
    private static final DateTimeFormatter OPEN_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");
    private static final DateTimeFormatter PRIVATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxx");

    private static List<StreamStore.Record> records() {
        StreamStore.DataElement plain = new StreamStore.DataElement("00011d12-7c8c-4b57-9b6d-6b0a1c9e4f00", "Heart rate", "beats a minute",
                "LOINC", "8867-4");
        StreamStore.DataElement odd = new StreamStore.DataElement("id", "心率 \"quoted\"\n\uD840\uDC00 \uD83D\uDE00 \uD800 lone", null, null,
                "\\ \u0001");
        OffsetDateTime t = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_789, ZoneOffset.ofHoursMinutes(-9, -30));
        return List.of(
                new StreamStore.Record("c2lnbmVk_aWQ", "OPEN_PLATFORM", "7d1c0f2e-0000-4000-8000-000000000001", plain, t,
                        "1111-11-11T11:11:11.000000±1111", "{\"value_quantity\":{\"value\":61,\"unit\":\"/min\"}}", t.plusDays(1), 0),
                new StreamStore.Record("id", "名字 \"q\" \\ \u0001 \uD83D\uDE00", null, odd, t.withYear(999), null,
                        "{\"note\":\"ünïcödé \\\"q\\\" \\u0000\",\"list\":[1,2.5,null,true]}", t.withYear(10_000), 7),
                new StreamStore.Record("", "", "", odd, t, "", "null", t, 0));
    }

    @Test
    void writesWhatTheOpenMapOfFieldsWrote() throws Exception {
        Map<String, SerializedString> elements = new HashMap<>();
        for (StreamStore.Record r : records()) {
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("data_element_name", r.element().name());
            element.put("data_element_id", r.element().id());
            element.put("data_element_description", r.element().description());
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("user_entity_id", r.entityId());
            meta.put("namespace", r.namespace());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream_id", r.streamId());
            m.put("data_element", element);
            m.put("stream_generate_time_mask", r.mask());
            m.put("stream_meta", meta);
            m.put("create_time", OPEN_TIME.format(r.createTime().withOffsetSameInstant(ZONE)));
            m.put("stream_data", new RawValue(r.dataJson()));
            m.put("stream_generate_time", OPEN_TIME.format(r.generateTime()));
            OpenRecordView view = OpenRecordView.of(r, ZONE, elements);
            assertEquals(bytes(Map.of("result", List.of(m, m))), bytes(Map.of("result", List.of(view, view))));
        }
    }

    @Test
    void writesWhatThePrivateMapOfFieldsWrote() throws Exception {
        Map<String, SerializedString> elements = new HashMap<>();
        for (StreamStore.Record r : records()) {
            Map<String, Object> element = new LinkedHashMap<>();
            element.put("data_element_name", r.element().name());
            element.put("data_element_id", r.element().id());
            element.put("data_element_description", r.element().description());
            element.put("data_element_source_domain", r.element().sourceDomain());
            element.put("data_element_source_id", r.element().sourceId());
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("namespace", r.namespace());
            meta.put("fundamental_entity_id", r.entityId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream_generate_time_mask", r.mask());
            m.put("stream_generate_time", PartialTime.render(r.generateTime()));
            m.put("data_element", element);
            m.put("stream_data", new RawValue(r.dataJson()));
            m.put("stream_meta", meta);
            m.put("create_time", PRIVATE_TIME.format(r.createTime().withOffsetSameInstant(ZONE)));
            m.put("stream_id", r.streamId());
            m.put("data_type", 2);
            assertEquals(PRIVATE_TIME.format(r.generateTime()), PartialTime.render(r.generateTime()));
            PrivateRecordView view = PrivateRecordView.of(r, ZONE, elements);
            assertEquals(bytes(Map.of("result", List.of(m, m))), bytes(Map.of("result", List.of(view, view))));
            assertEquals(bytes(m), bytes(view));
        }
    }

    private static String bytes(Object answer) throws Exception {
        return new String(ServerJson.MAPPER.writeValueAsBytes(answer), StandardCharsets.UTF_8);
    }
}
