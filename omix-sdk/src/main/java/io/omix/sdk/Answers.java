package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Turns envelopes into the views methods return. */
final class Answers {
    private Answers() {}

    /** {@code data} of an envelope as a Model; an empty Model when data is null. */
    static Model model(ObjectNode envelope) {
        JsonNode data = envelope.get("data");
        if (data == null || data.isNull()) return new Model(envelope.objectNode());
        if (!data.isObject()) throw new BgeException("expected an object in data, got " + data.getNodeType());
        return new Model((ObjectNode) data);
    }

    /** {@code data} of an envelope as a ListModel. */
    static ListModel list(ObjectNode envelope) {
        JsonNode data = envelope.get("data");
        if (data == null || !data.isArray()) throw new BgeException("expected a list in data");
        return new ListModel((com.fasterxml.jackson.databind.node.ArrayNode) data);
    }

}
