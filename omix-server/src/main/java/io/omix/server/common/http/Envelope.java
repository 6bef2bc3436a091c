package io.omix.server.common.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open and private platforms' answer: {@code {"code", "msg", "data"}}, plus any fields that
 * sit beside data on a few endpoints (taxon abundance's {@code pagination}).
 */
public final class Envelope {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Envelope(int code, String msg, Object data) {
        fields.put("code", code);
        fields.put("msg", msg);
        fields.put("data", data);
    }

    public static Envelope ok(Object data) {
        return new Envelope(0, "", data);
    }

    public static Envelope error(ErrorCode error, Object data) {
        return new Envelope(error.code(), error.msg(), data);
    }

    /** Adds a field beside {@code data}. */
    public Envelope with(String name, Object value) {
        if (name.equals("code") || name.equals("msg") || name.equals("data")) {
            throw new IllegalArgumentException(name + " is reserved");
        }
        fields.put(name, value);
        return this;
    }

    public int code() {
        return (Integer) fields.get("code");
    }

    /** What is serialised. */
    public Map<String, Object> fields() {
        return fields;
    }
}
