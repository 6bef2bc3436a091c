package io.omix.server.streams;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.OpenTime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stream record as the open platform's stream_range answers it, written field by field with its names
 * encoded once: as a map of fields, a page of a hundred records spent most of its time in Jackson finding
 * each value's writer and checking each name for characters to escape. {@code OpenRecordViewTest} holds it
 * byte for byte equal to the maps it replaces.
 *
 * @param element the data element's view, as JSON (each element's is written once: {@code StreamsCapability})
 * @param dataJson the record's data, as stored (JSON)
 */
@JsonSerialize(using = OpenRecordView.Writer.class)
record OpenRecordView(String streamId, String element, String mask, String entityId, String namespace, String createTime,
                      String dataJson, String generateTime) {

    /**
     * The view of {@code r}, its create time in {@code zone}.
     *
     * @param elements each data element's view by id, as JSON, kept for the next records
     */
    static OpenRecordView of(StreamStore.Record r, ZoneOffset zone, Map<String, String> elements) {
        String element = elements.computeIfAbsent(r.element().id(), id -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("data_element_name", r.element().name());
            e.put("data_element_id", r.element().id());
            e.put("data_element_description", r.element().description());
            return json(e);
        });
        return new OpenRecordView(r.streamId(), element, r.mask(), r.entityId(), r.namespace(),
                OpenTime.format(r.createTime().withOffsetSameInstant(zone)), r.dataJson(), OpenTime.format(r.generateTime()));
    }

    /**
     * A view as the answer's own writer writes it: to bytes, where a character beyond the Basic Multilingual Plane is
     * two escapes and a lone surrogate one (written as text, both would be raw characters, which a raw value then
     * writes otherwise, or cannot write at all). As text again, its escapes are plain ASCII.
     */
    static String json(Map<String, Object> view) {
        try {
            return new String(ServerJson.MAPPER.writeValueAsBytes(view), StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Writer extends StdSerializer<OpenRecordView> {
        private static final SerializedString STREAM_ID = new SerializedString("stream_id");
        private static final SerializedString DATA_ELEMENT = new SerializedString("data_element");
        private static final SerializedString MASK = new SerializedString("stream_generate_time_mask");
        private static final SerializedString META = new SerializedString("stream_meta");
        private static final SerializedString ENTITY = new SerializedString("user_entity_id");
        private static final SerializedString NAMESPACE = new SerializedString("namespace");
        private static final SerializedString CREATE_TIME = new SerializedString("create_time");
        private static final SerializedString DATA = new SerializedString("stream_data");
        private static final SerializedString GENERATE_TIME = new SerializedString("stream_generate_time");

        Writer() {
            super(OpenRecordView.class);
        }

        @Override
        public void serialize(OpenRecordView r, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            string(g, STREAM_ID, r.streamId());
            g.writeFieldName(DATA_ELEMENT);
            g.writeRawValue(r.element());
            string(g, MASK, r.mask());
            g.writeFieldName(META);
            g.writeStartObject();
            string(g, ENTITY, r.entityId());
            string(g, NAMESPACE, r.namespace());
            g.writeEndObject();
            string(g, CREATE_TIME, r.createTime());
            g.writeFieldName(DATA);
            g.writeRawValue(r.dataJson());
            string(g, GENERATE_TIME, r.generateTime());
            g.writeEndObject();
        }

        static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
            g.writeFieldName(name);
            if (value == null) g.writeNull();
            else g.writeString(value);
        }
    }
}
