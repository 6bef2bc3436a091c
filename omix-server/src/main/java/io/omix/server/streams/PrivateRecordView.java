package io.omix.server.streams;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.omix.server.common.time.OpenTime;
import io.omix.server.common.time.PartialTime;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stream record as the private platform's stream_retrieve and stream_range answer it, written field by field
 * as {@link OpenRecordView} is. {@code OpenRecordViewTest} holds it byte for byte equal to the maps it replaces.
 *
 * @param element  the data element's view, as JSON encoded once (made once for each element)
 * @param dataJson the record's data, as stored (JSON)
 */
@JsonSerialize(using = PrivateRecordView.Writer.class)
record PrivateRecordView(String mask, String generateTime, SerializedString element, String dataJson, String namespace, String entityId,
                         String createTime, String streamId) {

    /**
     * The view of {@code r}, its create time in {@code zone}.
     *
     * @param elements each data element's view by id, as JSON, kept for the next records
     */
    static PrivateRecordView of(StreamStore.Record r, ZoneOffset zone, Map<String, SerializedString> elements) {
        SerializedString element = elements.computeIfAbsent(r.element().id(), id -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("data_element_name", r.element().name());
            e.put("data_element_id", r.element().id());
            e.put("data_element_description", r.element().description());
            e.put("data_element_source_domain", r.element().sourceDomain());
            e.put("data_element_source_id", r.element().sourceId());
            return OpenRecordView.json(e);
        });
        return new PrivateRecordView(r.mask(), PartialTime.render(r.generateTime()), element, r.dataJson(), r.namespace(), r.entityId(),
                OpenTime.formatMicros(r.createTime().withOffsetSameInstant(zone)), r.streamId());
    }

    static final class Writer extends StdSerializer<PrivateRecordView> {
        private static final SerializedString MASK = new SerializedString("stream_generate_time_mask");
        private static final SerializedString GENERATE_TIME = new SerializedString("stream_generate_time");
        private static final SerializedString DATA_ELEMENT = new SerializedString("data_element");
        private static final SerializedString DATA = new SerializedString("stream_data");
        private static final SerializedString META = new SerializedString("stream_meta");
        private static final SerializedString NAMESPACE = new SerializedString("namespace");
        private static final SerializedString ENTITY = new SerializedString("fundamental_entity_id");
        private static final SerializedString CREATE_TIME = new SerializedString("create_time");
        private static final SerializedString STREAM_ID = new SerializedString("stream_id");
        private static final SerializedString DATA_TYPE = new SerializedString("data_type");

        Writer() {
            super(PrivateRecordView.class);
        }

        @Override
        public void serialize(PrivateRecordView r, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            OpenRecordView.Writer.mask(g, MASK, r.mask());
            OpenRecordView.Writer.string(g, GENERATE_TIME, r.generateTime());
            g.writeFieldName(DATA_ELEMENT);
            g.writeRawValue(r.element());
            g.writeFieldName(DATA);
            OpenRecordView.Writer.raw(g, r.dataJson());
            g.writeFieldName(META);
            g.writeStartObject();
            OpenRecordView.Writer.string(g, NAMESPACE, r.namespace());
            OpenRecordView.Writer.string(g, ENTITY, r.entityId());
            g.writeEndObject();
            OpenRecordView.Writer.string(g, CREATE_TIME, r.createTime());
            OpenRecordView.Writer.string(g, STREAM_ID, r.streamId());
            g.writeFieldName(DATA_TYPE);
            g.writeNumber(2);
            g.writeEndObject();
        }
    }
}
