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

    /**
     * Parses JSON text.
     *
     * @param json the text
     * @return its tree
     * @throws IllegalArgumentException when the text is not JSON
     */
    static JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The value a {@link Model} hands out for a node: objects as Model, arrays as ListModel, scalars as
     * String, Boolean, Integer, Long, BigInteger, BigDecimal or Double.
     *
     * @param value a node, or null
     * @return the wrapped value; null for null, JSON null and missing nodes
     */
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

    /**
     * A deep copy as plain Java values: objects as {@link LinkedHashMap}, arrays as {@link ArrayList}, scalars as {@link #wrap} gives them.
     *
     * @param value a node, or null
     * @return the copy; null for null, JSON null and missing nodes
     */
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

    /**
     * Follows {@code a.b[2].c}: dot-separated keys and {@code [i]} indexes.
     *
     * @param root the node the path starts from
     * @param path the keys and indexes to follow
     * @return the node there, or null when any step is absent
     * @throws IllegalArgumentException when the path has an unclosed {@code [} or an index that is not a number
     */
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

    /**
     * A value as text; numbers and booleans as their JSON text.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return the text, or null when absent or null
     * @throws ClassCastException when the value is an object or an array
     */
    static String asString(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isValueNode()) return v.asText();
        throw notA("a string", key, v);
    }

    /**
     * A value as an int; numeric text is read too.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return the number, or null when absent or null
     * @throws ClassCastException when the value is not a number that fits an int
     */
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

    /**
     * A value as a long; numeric text is read too.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return the number, or null when absent or null
     * @throws ClassCastException when the value is not a number that fits a long
     */
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

    /**
     * A value as a double; numeric text is read too.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return the number, or null when absent or null
     * @throws ClassCastException when the value is not a number
     */
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

    /**
     * A value as a boolean; the texts {@code true} and {@code false} are read too.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return the boolean, or null when absent or null
     * @throws ClassCastException when the value is not a boolean
     */
    static Boolean asBoolean(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && ("true".equals(v.textValue()) || "false".equals(v.textValue()))) {
            return Boolean.valueOf(v.textValue());
        }
        throw notA("a boolean", key, v);
    }

    /**
     * A value as a {@link Model}.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return a view of the object, or null when absent or null
     * @throws ClassCastException when the value is not an object
     */
    static Model asModel(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isObject()) return new Model((ObjectNode) v);
        throw notA("an object", key, v);
    }

    /**
     * A value as a {@link ListModel}.
     *
     * @param v   the value, or null when absent
     * @param key the value's name or path, for the error message
     * @return a view of the array, or null when absent or null
     * @throws ClassCastException when the value is not an array
     */
    static ListModel asList(JsonNode v, String key) {
        if (absent(v)) return null;
        if (v.isArray()) return new ListModel((ArrayNode) v);
        throw notA("an array", key, v);
    }

    /**
     * Binds a node to a type with {@link Json#BINDER}: snake_case names to camelCase components, unknown fields ignored.
     *
     * @param <T>  the type to bind to
     * @param v    the node
     * @param type the class of that type
     * @return a new instance holding the node's values
     * @throws IllegalArgumentException when the node cannot be bound to {@code type}
     */
    static <T> T bind(JsonNode v, Class<T> type) {
        try {
            return Json.BINDER.treeToValue(v, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot bind to " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
