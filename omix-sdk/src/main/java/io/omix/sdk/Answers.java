package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Turns envelopes into the views methods return. */
final class Answers {
    private Answers() {}

    /**
     * {@code data} of an envelope as a Model; an empty Model when data is null.
     *
     * @param envelope a successful answer {@code {code: 0, msg, data}}
     * @return a view of {@code data}
     * @throws TransportException when {@code data} is not an object
     */
    static Model model(ObjectNode envelope) {
        JsonNode data = envelope.get("data");
        if (data == null || data.isNull()) return new Model(envelope.objectNode());
        if (!data.isObject()) throw new TransportException("expected an object in data, got " + data.getNodeType());
        return new Model((ObjectNode) data);
    }

    /**
     * A list answer with paging beside {@code data} ({@code {data: [...], pagination: {...}}}, taxon
     * abundance) as one Model: {@code result}, {@code pagination}, and its {@code next_page}, {@code limit}, {@code count}.
     *
     * @param envelope a successful answer with {@code pagination} beside {@code data}
     * @return {@code {result, pagination, next_page?, limit?, count?, page?}}
     */
    static Model paginated(ObjectNode envelope) {
        ObjectNode out = envelope.objectNode();
        out.set("result", envelope.get("data"));
        JsonNode pagination = envelope.path("pagination");
        out.set("pagination", pagination);
        for (String f : new String[] {"next_page", "limit", "count", "page"}) {
            if (pagination.has(f)) out.set(f, pagination.get(f));
        }
        return new Model(out);
    }

    /**
     * {@code data} of an envelope as a ListModel.
     *
     * @param envelope a successful answer whose {@code data} is a list
     * @return a view of {@code data}
     * @throws TransportException when {@code data} is missing or not a list
     */
    static ListModel list(ObjectNode envelope) {
        JsonNode data = envelope.get("data");
        if (data == null || !data.isArray()) throw new TransportException("expected a list in data");
        return new ListModel((com.fasterxml.jackson.databind.node.ArrayNode) data);
    }

}
