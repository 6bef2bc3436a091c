package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.Json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A read-only, dynamic view of a JSON object in an answer: {@code model.get("biosample_id")},
 * nested {@code model.getModel("source").getString("pipeline_version")} or {@code model.at("source.tag.dbSNP_build")},
 * {@link #json()} for plain maps, {@link #dumps(int)} for text, {@link #as(Class)} for typed records.
 *
 * <p>Values are {@link Model} (objects), {@link ListModel} (arrays), {@link String}, {@link Boolean},
 * {@link Integer}, {@link Long}, {@link java.math.BigInteger}, {@link Double} or {@code null}.
 * Being a {@link Map}, a Model works wherever a map does; it cannot be modified.
 */
public final class Model extends AbstractMap<String, Object> {
    private final ObjectNode node;

    Model(ObjectNode node) {
        this.node = Objects.requireNonNull(node);
    }

    /** Parses a JSON object text into a Model. */
    public static Model parse(String json) {
        JsonNode node = Values.readTree(json);
        if (!node.isObject()) throw new IllegalArgumentException("not a JSON object");
        return new Model((ObjectNode) node);
    }

    /** Wraps any JSON value: objects become Model, arrays ListModel, scalars their Java value. */
    static Object wrap(JsonNode value) {
        return Values.wrap(value);
    }

    /** A copy of the underlying Jackson tree: changing it changes neither this Model nor the answer it came from. */
    public JsonNode node() {
        return node.deepCopy();
    }

    @Override
    public Object get(Object key) {
        if (!(key instanceof String)) return null;
        return Values.wrap(node.get((String) key));
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String && node.has((String) key);
    }

    @Override
    public int size() {
        return node.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return fields.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        Map.Entry<String, JsonNode> e = fields.next();
                        return new SimpleImmutableEntry<>(e.getKey(), Values.wrap(e.getValue()));
                    }
                };
            }

            @Override
            public int size() {
                return node.size();
            }
        };
    }

    /** A nested value by path: dot-separated keys and {@code [i]} indexes, e.g. {@code "result[0].organism.code"}. Null where absent. */
    public Object at(String path) {
        return Values.wrap(Values.navigate(node, path));
    }

    public String getString(String key) {
        return Values.asString(node.get(key), key);
    }

    public Integer getInt(String key) {
        return Values.asInt(node.get(key), key);
    }

    public Long getLong(String key) {
        return Values.asLong(node.get(key), key);
    }

    public Double getDouble(String key) {
        return Values.asDouble(node.get(key), key);
    }

    public Boolean getBoolean(String key) {
        return Values.asBoolean(node.get(key), key);
    }

    /** The nested object under {@code key}, or null where absent or null. */
    public Model getModel(String key) {
        return Values.asModel(node.get(key), key);
    }

    /** The nested array under {@code key}, or null where absent or null. */
    public ListModel getList(String key) {
        return Values.asList(node.get(key), key);
    }

    /** A deep copy as plain {@link LinkedHashMap}s, {@link java.util.ArrayList}s and scalars. */
    public Map<String, Object> json() {
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) Values.plain(node);
        return plain;
    }

    /** JSON text, pretty-printed with {@code indent} spaces (0 for compact). */
    public String dumps(int indent) {
        return Json.dumps(node, indent);
    }

    /** Compact JSON text. */
    public String dumps() {
        return dumps(0);
    }

    /**
     * Binds this object to a type (typically a record). Wire names in snake_case map to camelCase
     * components; unknown fields are ignored; {@code @JsonProperty} overrides a name.
     */
    public <T> T as(Class<T> type) {
        return Values.bind(node, type);
    }

    @Override
    public String toString() {
        return "Model(" + dumps(4) + ")";
    }
}
