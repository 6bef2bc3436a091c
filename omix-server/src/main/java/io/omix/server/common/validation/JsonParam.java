package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.http.ServerJson;

/**
 * A JSON value: given as a JSON text inside a form field (as the original clients send nested
 * values) or directly inside a JSON body.
 */
public final class JsonParam extends Param<JsonNode, JsonParam> {
    private boolean objectOnly;
    private int maxChars = 1 << 20;

    JsonParam(String name) {
        super(name);
    }

    public JsonParam objectOnly() {
        JsonParam c = copy();
        c.objectOnly = true;
        return c;
    }

    public JsonParam maxChars(int maxChars) {
        JsonParam c = copy();
        c.maxChars = maxChars;
        return c;
    }

    @Override
    public java.util.Map<String, Object> schema() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (objectOnly) m.put("type", "object");
        m.put("description", "JSON (a value, or JSON text)");
        return m;
    }

    @Override
    public String rule() {
        return objectOnly ? "a JSON object" : "a JSON value";
    }

    @Override
    protected JsonNode parse(JsonNode value) throws InvalidParam {
        JsonNode node = value;
        if (value.isTextual()) {
            String text = value.textValue();
            if (text.length() > maxChars) throw new InvalidParam("must be at most " + maxChars + " characters");
            try {
                node = ServerJson.readClientJson(text, name());
            } catch (io.omix.server.common.http.ApiException e) {
                throw new InvalidParam("must be valid JSON: " + ((java.util.Map<?, ?>) e.data()).get(name()));
            }
        }
        if (objectOnly && (node == null || !node.isObject())) throw new InvalidParam("must be a JSON object");
        return node;
    }
}
