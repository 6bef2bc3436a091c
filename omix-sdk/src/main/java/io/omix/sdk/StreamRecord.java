package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * One record of a stream, typed.
 *
 * @param streamId      its id
 * @param dataElementId the data element (what was measured)
 * @param generatedAt   when it was measured, with the offset it was written with
 * @param createdAt     when the platform stored it
 * @param data          its payload (any JSON the writer sent)
 * @param raw           the whole answer, for fields this type does not name
 */
public record StreamRecord(String streamId, String dataElementId, OffsetDateTime generatedAt, OffsetDateTime createdAt, Model data, Model raw) {
    static StreamRecord of(Model m) {
        Object data = m.get("stream_data");
        // A payload that is not an object (a number, a list) is given as {"value": ...}.
        Model payload = data instanceof Model d ? d : new Model(io.omix.sdk.internal.Json.MAPPER.createObjectNode()
                .set("value", io.omix.sdk.internal.Json.MAPPER.valueToTree(data instanceof ListModel l ? l.json() : data)));
        return new StreamRecord(m.getString("stream_id"), (String) m.at("data_element.data_element_id"),
                Times.parse(m.getString("stream_generate_time")), Times.parse(m.getString("create_time")), payload, m);
    }
}
