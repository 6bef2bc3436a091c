package io.omix.sdk;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record to write to a stream (the private platform's batch_write_stream item).
 *
 * @param fundamentalEntityId the entity (from {@code partner.streams().bind(sampleId)})
 * @param dataElementId       what was measured
 * @param generatedAt         when, as the platform reads it (to the microsecond, with an offset)
 * @param data                the payload: a Map, a record, or JSON text
 */
public record StreamWrite(String fundamentalEntityId, String dataElementId, String generatedAt, Object data) {
    /**
     * A record to write, every component required.
     *
     * @param fundamentalEntityId the entity
     * @param dataElementId       the data element
     * @param generatedAt         the time, as the platform reads it
     * @param data                the payload
     * @throws NullPointerException when a component is null
     */
    public StreamWrite {
        Objects.requireNonNull(fundamentalEntityId, "fundamentalEntityId");
        Objects.requireNonNull(dataElementId, "dataElementId");
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(data, "data");
    }

    /**
     * A record measured at {@code time}, written in UTC.
     *
     * @param fundamentalEntityId the entity (from {@code partner.streams().bind(sampleId)})
     * @param dataElementId       what was measured
     * @param time                when it was measured
     * @param data                the payload: a Map, a record, or JSON text
     * @return the record, its time to the microsecond
     */
    public static StreamWrite of(String fundamentalEntityId, String dataElementId, Instant time, Object data) {
        return new StreamWrite(fundamentalEntityId, dataElementId, Times.format(time), data);
    }

    /**
     * A record measured at {@code time}, kept with its offset.
     *
     * @param fundamentalEntityId the entity (from {@code partner.streams().bind(sampleId)})
     * @param dataElementId       what was measured
     * @param time                when it was measured, with the offset to keep
     * @param data                the payload: a Map, a record, or JSON text
     * @return the record, its time to the microsecond
     */
    public static StreamWrite of(String fundamentalEntityId, String dataElementId, OffsetDateTime time, Object data) {
        return new StreamWrite(fundamentalEntityId, dataElementId, Times.format(time), data);
    }

    Map<String, Object> item() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fundamental_entity_id", fundamentalEntityId);
        m.put("data_element_id", dataElementId);
        m.put("stream_generate_time", generatedAt);
        m.put("stream_data", data);
        return m;
    }
}
