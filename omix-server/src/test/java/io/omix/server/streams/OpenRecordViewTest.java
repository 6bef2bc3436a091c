package io.omix.server.streams;

import com.fasterxml.jackson.databind.util.RawValue;
import io.omix.server.common.http.ServerJson;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A record written field by field must be, byte for byte, the map of fields stream_range and stream_retrieve answered before. */
class OpenRecordViewTest {
    @Test
    void writesWhatTheMapOfFieldsWrote() throws Exception {
        String element = ServerJson.MAPPER.writeValueAsString(Map.of("data_element_name", "Heart \"rate\"\n心率"));
        List<OpenRecordView> records = List.of(
                new OpenRecordView("c2lnbmVk_aWQ", element, "1111-11-11T11:11:11.000000±1111", "7d1c0f2e-0000-4000-8000-000000000001",
                        "OPEN_PLATFORM", "2024-01-02T03:04:05+0800", "{\"value_quantity\":{\"value\":61,\"unit\":\"/min\"}}",
                        "2024-01-02T03:04:05+0800"),
                new OpenRecordView("id", element, null, null, "名字 \"quoted\" \\ \u0001 \uD83D\uDE00", "2024-12-31T23:59:59-0930",
                        "{\"note\":\"ünïcödé \\\"q\\\" \\u0000\",\"list\":[1,2.5,null,true]}", "0999-01-01T00:00:00+0000"),
                new OpenRecordView("", element, "", "", "", "", "null", ""));
        for (OpenRecordView r : records) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("user_entity_id", r.entityId());
            meta.put("namespace", r.namespace());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream_id", r.streamId());
            m.put("data_element", new RawValue(r.element()));
            m.put("stream_generate_time_mask", r.mask());
            m.put("stream_meta", meta);
            m.put("create_time", r.createTime());
            m.put("stream_data", new RawValue(r.dataJson()));
            m.put("stream_generate_time", r.generateTime());
            Map<String, Object> page = Map.of("result", List.of(m, m));
            Map<String, Object> written = Map.of("result", List.of(r, r));
            assertEquals(new String(ServerJson.MAPPER.writeValueAsBytes(page), java.nio.charset.StandardCharsets.UTF_8),
                    new String(ServerJson.MAPPER.writeValueAsBytes(written), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(ServerJson.MAPPER.writeValueAsString(page), ServerJson.MAPPER.writeValueAsString(written));
        }
    }

    @Test
    void writesWhatThePrivateMapOfFieldsWrote() throws Exception {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("data_element_name", "Heart \"rate\"\n心率");
        source.put("data_element_source_domain", null);
        String element = ServerJson.MAPPER.writeValueAsString(source);
        List<PrivateRecordView> records = List.of(
                new PrivateRecordView("1111-11-11T11:11:11.000000±1111", "2024-01-02T03:04:05.123456+0800", element,
                        "{\"value\":61}", "BGE_APP", "7d1c0f2e-0000-4000-8000-000000000001", "2024-01-02T03:04:05.000001+0800", "id"),
                new PrivateRecordView(null, null, element, "[\"ünï\",null]", "名字 \"q\" \\ \u0001", null, null, null));
        for (PrivateRecordView r : records) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("namespace", r.namespace());
            meta.put("fundamental_entity_id", r.entityId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream_generate_time_mask", r.mask());
            m.put("stream_generate_time", r.generateTime());
            m.put("data_element", new RawValue(r.element()));
            m.put("stream_data", new RawValue(r.dataJson()));
            m.put("stream_meta", meta);
            m.put("create_time", r.createTime());
            m.put("stream_id", r.streamId());
            m.put("data_type", 2);
            assertEquals(ServerJson.MAPPER.writeValueAsString(Map.of("result", List.of(m, m))),
                    ServerJson.MAPPER.writeValueAsString(Map.of("result", List.of(r, r))));
            assertEquals(new String(ServerJson.MAPPER.writeValueAsBytes(m), java.nio.charset.StandardCharsets.UTF_8),
                    new String(ServerJson.MAPPER.writeValueAsBytes(r), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
