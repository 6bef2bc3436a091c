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
                // The reason is named by the parameter, or by the key of the object it came under (a number out of range).
                java.util.Map<?, ?> reasons = (java.util.Map<?, ?>) e.data();
                Object reason = reasons.containsKey(name()) ? reasons.get(name()) : reasons.values().iterator().next();
                throw new InvalidParam("must be valid JSON: " + reason);
            }
            // Written back, numbers can take more characters than they were sent in (1e9 is stored as 1E+9).
            if (maxChars < Integer.MAX_VALUE && longerThan(node, maxChars)) throw new InvalidParam("must be at most " + maxChars + " characters as JSON");
        }
        // Sent as JSON itself (not text in a form field), the same limit holds for the value written as JSON: what is
        // accepted must be answerable, and a page of records is answered whole.
        else if (maxChars < Integer.MAX_VALUE && longerThan(value, maxChars)) throw new InvalidParam("must be at most " + maxChars + " characters as JSON");
        if (objectOnly && (node == null || !node.isObject())) throw new InvalidParam("must be a JSON object");
        return node;
    }

    /** Whether {@code node} written as JSON is longer than {@code max} characters (the writing stops once it is). */
    public static boolean longerThan(JsonNode node, int max) {
        final class Overflow extends java.io.IOException {
            Overflow() {
                super("longer than the limit");
            }

            @Override
            public synchronized Throwable fillInStackTrace() {
                return this;   // a signal, not an error: no stack to take
            }
        }
        java.io.Writer counter = new java.io.Writer() {
            private long written;

            @Override
            public void write(char[] chars, int off, int len) throws java.io.IOException {
                written += len;
                if (written > max) throw new Overflow();
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        try {
            ServerJson.MAPPER.writeValue(counter, node);
            return false;
        } catch (java.io.IOException e) {
            if (e instanceof Overflow || e.getCause() instanceof Overflow) return true;
            throw new java.io.UncheckedIOException(e);
        }
    }
}
