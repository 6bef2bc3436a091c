package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.omix.sdk.internal.Json;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/** A read-only, dynamic view of a JSON array in an answer; elements are wrapped as in {@link Model}. */
public final class ListModel extends AbstractList<Object> implements RandomAccess {
    private final ArrayNode node;

    /**
     * A view of {@code node}, wrapped without copying it.
     *
     * @param node the JSON array, not null
     */
    ListModel(ArrayNode node) {
        this.node = Objects.requireNonNull(node);
    }

    /**
     * Parses a JSON array text into a ListModel.
     *
     * @param json the text of one JSON array
     * @return a view of that array
     * @throws IllegalArgumentException when the text is not JSON or not an array
     */
    public static ListModel parse(String json) {
        JsonNode node = Values.readTree(json);
        if (!node.isArray()) throw new IllegalArgumentException("not a JSON array");
        return new ListModel((ArrayNode) node);
    }

    /**
     * A copy of the underlying Jackson array: changing it changes neither this list nor the answer it came from.
     *
     * @return a deep copy of the array node
     */
    public JsonNode node() {
        return node.deepCopy();
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= node.size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + node.size());
        }
        return Values.wrap(node.get(index));
    }

    @Override
    public int size() {
        return node.size();
    }

    /**
     * The element at {@code index} as a Model (it must be an object or null).
     *
     * @param index the element's position, from 0
     * @return a view of the object, or null where the element is null or the index is past the end
     * @throws ClassCastException when the element is not an object
     */
    public Model getModel(int index) {
        return Values.asModel(node.get(index), "[" + index + "]");
    }

    /**
     * A nested value by path relative to this array, e.g. {@code "[0].stream_id"}, as {@link Model#at(String)} reads it.
     *
     * @param path the indexes and keys to follow from this array
     * @return the value there, wrapped as {@link #get(int)} does; null where any step is absent
     * @throws IllegalArgumentException when the path has an unclosed {@code [} or an index that is not a number
     */
    public Object at(String path) {
        return Values.wrap(Values.navigate(node, path));
    }

    /**
     * The objects of this array, as Models.
     *
     * @return a new list with one view per element (null for null elements)
     * @throws ClassCastException when an element is not an object
     */
    public List<Model> models() {
        List<Model> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(getModel(i));
        return out;
    }

    /**
     * A deep copy as plain lists, maps and scalars.
     *
     * @return a modifiable {@link ArrayList} of {@link java.util.LinkedHashMap}s, lists and scalars
     */
    public List<Object> json() {
        @SuppressWarnings("unchecked")
        List<Object> plain = (List<Object>) Values.plain(node);
        return plain;
    }

    /**
     * JSON text, pretty-printed with {@code indent} spaces (0 for compact), as {@link Model#dumps(int)} prints it.
     *
     * @param indent spaces per level, 0 or more
     * @return the array as JSON text
     * @throws IllegalArgumentException when {@code indent} is negative
     */
    public String dumps(int indent) {
        return Json.dumps(node, indent);
    }

    /**
     * Compact JSON text.
     *
     * @return the array as JSON text on one line
     */
    public String dumps() {
        return dumps(0);
    }

    /**
     * Binds every element to {@code type}, as {@link Model#as(Class)} does.
     *
     * @param <T>  the type to bind to
     * @param type the class of that type, e.g. {@code Variant.class}
     * @return a new list with one instance per element, in order
     * @throws IllegalArgumentException when an element cannot be bound to {@code type}
     */
    public <T> List<T> as(Class<T> type) {
        List<T> out = new ArrayList<>(node.size());
        for (JsonNode element : node) out.add(Values.bind(element, type));
        return out;
    }

    @Override
    public String toString() {
        return "ListModel(" + dumps(4) + ")";
    }
}
