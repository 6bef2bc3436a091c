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

    /**
     * A view of {@code node}, wrapped without copying it.
     *
     * @param node the JSON object, not null
     */
    Model(ObjectNode node) {
        this.node = Objects.requireNonNull(node);
    }

    /**
     * Parses a JSON object text into a Model.
     *
     * @param json the text of one JSON object
     * @return a view of that object
     * @throws IllegalArgumentException when the text is not JSON or not an object
     */
    public static Model parse(String json) {
        JsonNode node = Values.readTree(json);
        if (!node.isObject()) throw new IllegalArgumentException("not a JSON object");
        return new Model((ObjectNode) node);
    }

    /**
     * Wraps any JSON value: objects become Model, arrays ListModel, scalars their Java value.
     *
     * @param value a Jackson node, or null
     * @return the wrapped value; null for a missing node or JSON null
     */
    static Object wrap(JsonNode value) {
        return Values.wrap(value);
    }

    /**
     * A copy of the underlying Jackson tree: changing it changes neither this Model nor the answer it came from.
     *
     * @return a deep copy of the object node
     */
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

    /**
     * A nested value by path: dot-separated keys and {@code [i]} indexes, e.g. {@code "result[0].organism.code"}.
     *
     * @param path the keys and indexes to follow from this object
     * @return the value there, wrapped as {@link #get(Object)} does; null where any step is absent
     * @throws IllegalArgumentException when the path has an unclosed {@code [} or an index that is not a number
     */
    public Object at(String path) {
        return Values.wrap(Values.navigate(node, path));
    }

    /**
     * The value under {@code key} as text; numbers and booleans are given as their JSON text.
     *
     * @param key the field's name
     * @return the text, or null where the field is absent or null
     * @throws ClassCastException when the value is an object or an array
     */
    public String getString(String key) {
        return Values.asString(node.get(key), key);
    }

    /**
     * The value under {@code key} as an int; a numeric text such as {@code "42"} is read too.
     *
     * @param key the field's name
     * @return the number, or null where the field is absent or null
     * @throws ClassCastException when the value is not a number that fits an int
     */
    public Integer getInt(String key) {
        return Values.asInt(node.get(key), key);
    }

    /**
     * The value under {@code key} as a long; a numeric text such as {@code "42"} is read too.
     *
     * @param key the field's name
     * @return the number, or null where the field is absent or null
     * @throws ClassCastException when the value is not a number that fits a long
     */
    public Long getLong(String key) {
        return Values.asLong(node.get(key), key);
    }

    /**
     * The value under {@code key} as a double; a numeric text such as {@code "3.5"} is read too.
     *
     * @param key the field's name
     * @return the number, or null where the field is absent or null
     * @throws ClassCastException when the value is not a number
     */
    public Double getDouble(String key) {
        return Values.asDouble(node.get(key), key);
    }

    /**
     * The value under {@code key} as a boolean; the texts {@code "true"} and {@code "false"} are read too.
     *
     * @param key the field's name
     * @return the boolean, or null where the field is absent or null
     * @throws ClassCastException when the value is not a boolean
     */
    public Boolean getBoolean(String key) {
        return Values.asBoolean(node.get(key), key);
    }

    /**
     * The nested object under {@code key}.
     *
     * @param key the field's name
     * @return a view of the object, or null where the field is absent or null
     * @throws ClassCastException when the value is not an object
     */
    public Model getModel(String key) {
        return Values.asModel(node.get(key), key);
    }

    /**
     * The nested array under {@code key}.
     *
     * @param key the field's name
     * @return a view of the array, or null where the field is absent or null
     * @throws ClassCastException when the value is not an array
     */
    public ListModel getList(String key) {
        return Values.asList(node.get(key), key);
    }

    /**
     * A deep copy as plain {@link LinkedHashMap}s, {@link java.util.ArrayList}s and scalars.
     *
     * @return a modifiable map, fields in the answer's order
     */
    public Map<String, Object> json() {
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) Values.plain(node);
        return plain;
    }

    /**
     * JSON text, pretty-printed with {@code indent} spaces (0 for compact), as Python's {@code json.dumps} prints it.
     *
     * @param indent spaces per level, 0 or more
     * @return the object as JSON text
     * @throws IllegalArgumentException when {@code indent} is negative
     */
    public String dumps(int indent) {
        return Json.dumps(node, indent);
    }

    /**
     * Compact JSON text.
     *
     * @return the object as JSON text on one line
     */
    public String dumps() {
        return dumps(0);
    }

    /**
     * Binds this object to a type (typically a record). Wire names in snake_case map to camelCase
     * components; unknown fields are ignored; {@code @JsonProperty} overrides a name.
     *
     * @param <T>  the type to bind to
     * @param type the class of that type, e.g. {@code Sample.class}
     * @return a new instance holding this object's values
     * @throws IllegalArgumentException when the object cannot be bound to {@code type}
     */
    public <T> T as(Class<T> type) {
        return Values.bind(node, type);
    }

    /** The object as JSON with its secrets masked (tokens, secrets, signed links): what a log may hold; {@link #dumps()} gives it whole. */
    @Override
    public String toString() {
        return "Model(" + io.omix.sdk.internal.Redactor.json(dumps()) + ")";
    }
}
