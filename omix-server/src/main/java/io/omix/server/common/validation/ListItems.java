package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Splits a list parameter: "a,b,c" text (items trimmed) or a JSON array of scalars. */
final class ListItems {
    private ListItems() {}

    static List<String> split(JsonNode value, int maxItems) throws Param.InvalidParam {
        List<String> items = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (item.isContainerNode() || item.isNull()) throw new Param.InvalidParam("items must be single values");
                items.add(item.asText().trim());
                if (items.size() > maxItems) break;
            }
        } else {
            String text = Param.scalarText(value);
            int start = 0;
            while (items.size() <= maxItems) {
                int comma = text.indexOf(',', start);
                items.add(text.substring(start, comma < 0 ? text.length() : comma).trim());
                if (comma < 0) break;
                start = comma + 1;
            }
        }
        if (items.size() > maxItems) throw new Param.InvalidParam("must have at most " + maxItems + " items");
        return List.copyOf(items);
    }
}
