package io.omix.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between Jackson trees and the values a {@link Model} hands out. */
final class Values {
    private Values() {}

    static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Object wrap(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return null;
        if (value.isObject()) return new Model((ObjectNode) value);
        if (value.isArray()) return new ListModel((ArrayNode) value);
        if (value.isTextual()) return value.textValue();
        if (value.isBoolean()) return value.booleanValue();
        if (value.isInt()) return value.intValue();
        if (value.isLong()) return value.longValue();
        if (value.isBigInteger()) return value.bigIntegerValue();
        if (value.isBigDecimal()) return value.decimalValue();
        if (value.isNumber()) return value.doubleValue();
        return value.asText();
    }

    static Object plain(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return null;
        if (value.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
            return map;
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>(value.size());
            value.forEach(v -> list.add(plain(v)));
            return list;
        }
        return wrap(value);
    }

    /** Follows {@code a.b[2].c}; returns null when any step is absent. */
    static JsonNode navigate(JsonNode root, String path) {
        JsonNode current = root;
        int i = 0;
        int n = path.length();
        while (i < n && current != null) {
            char c = path.charAt(i);
            if (c == '.') {
                i++;
            } else if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) throw new IllegalArgumentException("unclosed [ in path: " + path);
                int index;
                try {
                    index = Integer.parseInt(path.substring(i + 1, close).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad index in path: " + path, e);
                }
                current = current.isArray() ? current.get(index) : null;
                i = close + 1;
            } else {
                int end = i;
                while (end < n && path.charAt(end) != '.' && path.charAt(end) != '[') end++;
                current = current.isObject() ? current.get(path.substring(i, end)) : null;
                i = end;
            }
        }
        return current;
    }

    private static boolean absent(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode();
    }

    private static ClassCastException notA(String what, String key, JsonNode v) {
        return new ClassCastException("'" + key + "' is " + v.getNodeType().name().toLowerCase() + ", not " + what);
    }

    static String asString(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isValueNode()) return v.asText();
        throw notA("a string", key, v);
    }

    static Integer asInt(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isNumber() && v.canConvertToInt()) return v.intValue();
        if (v.isTextual()) {
            try {
                return Integer.valueOf(v.textValue().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw notA("an int", key, v);
    }

    static Long asLong(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isNumber() && v.canConvertToLong()) return v.longValue();
        if (v.isTextual()) {
            try {
                return Long.valueOf(v.textValue().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw notA("a long", key, v);
    }

    static Double asDouble(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            try {
                return Double.valueOf(v.textValue().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw notA("a number", key, v);
    }

    static Boolean asBoolean(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && ("true".equals(v.textValue()) || "false".equals(v.textValue()))) {
            return Boolean.valueOf(v.textValue());
        }
        throw notA("a boolean", key, v);
    }

    static Model asModel(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isObject()) return new Model((ObjectNode) v);
        throw notA("an object", key, v);
    }

    static ListModel asList(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isArray()) return new ListModel((ArrayNode) v);
        throw notA("an array", key, v);
    }

    static <T> T bind(JsonNode v, Class<T> type) {
        try {
            return Json.BINDER.treeToValue(v, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot bind to " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
