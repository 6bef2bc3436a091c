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

    ListModel(ArrayNode node) {
        this.node = Objects.requireNonNull(node);
    }

    /** Parses a JSON array text into a ListModel. */
    public static ListModel parse(String json) {
        JsonNode node = Values.readTree(json);
        if (!node.isArray()) throw new IllegalArgumentException("not a JSON array");
        return new ListModel((ArrayNode) node);
    }

    /** A copy of the underlying Jackson array: changing it changes neither this list nor the answer it came from. */
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

    /** The element at {@code index} as a Model (it must be an object or null). */
    public Model getModel(int index) {
        return Values.asModel(node.get(index), "[" + index + "]");
    }

    /** A nested value by path relative to this array, e.g. {@code "[0].stream_id"}. */
    public Object at(String path) {
        return Values.wrap(Values.navigate(node, path));
    }

    /** The objects of this array, as Models. */
    public List<Model> models() {
        List<Model> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(getModel(i));
        return out;
    }

    /** A deep copy as plain lists, maps and scalars. */
    public List<Object> json() {
        @SuppressWarnings("unchecked")
        List<Object> plain = (List<Object>) Values.plain(node);
        return plain;
    }

    public String dumps(int indent) {
        return Json.dumps(node, indent);
    }

    public String dumps() {
        return dumps(0);
    }

    /** Binds every element to {@code type}, as {@link Model#as(Class)} does. */
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
