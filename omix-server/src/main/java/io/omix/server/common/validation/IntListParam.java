package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** A comma-separated list of integers (or a JSON array of them), each within a range. */
public final class IntListParam extends Param<List<Integer>, IntListParam> {
    private int min = Integer.MIN_VALUE;
    private int max = Integer.MAX_VALUE;
    private int maxItems = 100;
    private java.util.Set<Integer> allowed;

    IntListParam(String name) {
        super(name);
    }

    public IntListParam range(int min, int max) {
        IntListParam c = copy();
        c.min = min;
        c.max = max;
        return c;
    }

    /** Only these values (e.g. status codes). */
    public IntListParam oneOf(java.util.Collection<Integer> values) {
        IntListParam c = copy();
        c.allowed = java.util.Set.copyOf(values);
        return c;
    }

    public IntListParam maxItems(int maxItems) {
        IntListParam c = copy();
        c.maxItems = maxItems;
        return c;
    }

    @Override
    public java.util.Map<String, Object> schema() {
        java.util.Map<String, Object> item = new java.util.LinkedHashMap<>();
        item.put("type", "integer");
        if (allowed != null) item.put("enum", new java.util.TreeSet<>(allowed));
        if (min > Integer.MIN_VALUE) item.put("minimum", min);
        if (max < Integer.MAX_VALUE) item.put("maximum", max);
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", "array");
        m.put("items", item);
        m.put("maxItems", maxItems);
        return m;
    }

    @Override
    public String rule() {
        return "comma-separated integers from " + min + " to " + max + ", at most " + maxItems;
    }

    @Override
    protected List<Integer> parse(JsonNode value) throws InvalidParam {
        List<String> items = ListItems.split(value, maxItems);
        List<Integer> out = new ArrayList<>(items.size());
        for (String item : items) {
            long n = Numbers.parseItem(item, this);
            if (n < min || n > max) throw new InvalidParam(n + " is out of range " + min + ".." + max);
            if (allowed != null && !allowed.contains((int) n)) throw new InvalidParam(n + " is not one of " + new java.util.TreeSet<>(allowed));
            out.add((int) n);
        }
        return List.copyOf(out);
    }
}
