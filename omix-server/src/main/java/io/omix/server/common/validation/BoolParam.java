package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/** true/false, also as 1/0 and in Python's spelling (True/False), as existing clients send them. */
public final class BoolParam extends Param<Boolean, BoolParam> {
    BoolParam(String name) {
        super(name);
    }

    @Override
    public java.util.Map<String, Object> schema() {
        return new java.util.LinkedHashMap<>(java.util.Map.of("type", "boolean"));
    }

    @Override
    public String rule() {
        return "true or false";
    }

    @Override
    protected Boolean parse(JsonNode value) throws InvalidParam {
        if (value.isBoolean()) return value.booleanValue();
        String text = scalarText(value).toLowerCase(Locale.ROOT);
        switch (text) {
            case "true", "1":
                return true;
            case "false", "0":
                return false;
            default:
                throw new InvalidParam("must be true or false");
        }
    }
}
