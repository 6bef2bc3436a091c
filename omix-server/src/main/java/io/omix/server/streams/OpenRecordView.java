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
 * @param element the data element's view, as JSON encoded once (each element's is made once: {@code StreamsCapability})
 * @param dataJson the record's data, as stored (JSON)
 */
@JsonSerialize(using = OpenRecordView.Writer.class)
record OpenRecordView(String streamId, SerializedString element, String mask, String entityId, String namespace, String createTime,
                      String dataJson, String generateTime) {

    /**
     * The view of {@code r}, its create time in {@code zone}.
     *
     * @param elements each data element's view by id, as JSON, kept for the next records
     */
    static OpenRecordView of(StreamStore.Record r, ZoneOffset zone, Map<String, SerializedString> elements) {
        SerializedString element = elements.computeIfAbsent(r.element().id(), id -> {
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
    static SerializedString json(Map<String, Object> view) {
        try {
            SerializedString json = new SerializedString(new String(ServerJson.MAPPER.writeValueAsBytes(view), StandardCharsets.UTF_8));
            json.asUnquotedUTF8(); // encoded now, once, not by the first answer that writes it
            return json;
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
            mask(g, MASK, r.mask());
            g.writeFieldName(META);
            g.writeStartObject();
            string(g, ENTITY, r.entityId());
            string(g, NAMESPACE, r.namespace());
            g.writeEndObject();
            string(g, CREATE_TIME, r.createTime());
            g.writeFieldName(DATA);
            raw(g, r.dataJson());
            string(g, GENERATE_TIME, r.generateTime());
            g.writeEndObject();
        }

        /**
         * A record's data, stored JSON, written as it is: encoded by the JDK (a copy for ASCII text), where Jackson's
         * raw writing encodes it again character by character. A half surrogate pair (refused since it was found,
         * but perhaps stored before) is written as {@code ?}, not a failed answer.
         */
        static void raw(JsonGenerator g, String json) throws IOException {
            g.writeRawValue(new EncodedRaw(json));
        }

        /** Raw text with its UTF-8 bytes made by the JDK's encoder. */
        private static final class EncodedRaw extends SerializedString {
            EncodedRaw(String json) {
                super(json);
                _unquotedUTF8Ref = json.getBytes(StandardCharsets.UTF_8);
            }
        }

        /**
         * A record's time mask: one of a few texts, repeated in every record, and each with the one character of the
         * page that is not ASCII (the offset's ±), which makes Jackson take its slow path for the whole text; so each
         * is encoded once and copied.
         */
        static void mask(JsonGenerator g, SerializedString name, String mask) throws IOException {
            SerializedString encoded = mask == null ? null : MASKS.get(mask);
            if (encoded == null && mask != null && MASKS.size() < MAX_MASKS) {
                encoded = new SerializedString(mask);
                encoded.asQuotedUTF8();
                MASKS.putIfAbsent(mask, encoded);
            }
            g.writeFieldName(name);
            if (encoded != null) g.writeString(encoded);
            else if (mask == null) g.writeNull();
            else g.writeString(mask);
        }

        /** Masks are checked to be a time's digits as 0 or 1, so there are few; the bound is there all the same. */
        private static final int MAX_MASKS = 1_024;
        private static final Map<String, SerializedString> MASKS = new java.util.concurrent.ConcurrentHashMap<>();

        static void string(JsonGenerator g, SerializedString name, String value) throws IOException {
            g.writeFieldName(name);
            if (value == null) g.writeNull();
            else g.writeString(value);
        }
    }
}
