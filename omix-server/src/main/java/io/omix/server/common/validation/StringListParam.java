package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** A comma-separated list of texts (or a JSON array of them), each matching a pattern. */
public final class StringListParam extends Param<List<String>, StringListParam> {
    private int maxItems = 100;
    private int maxItemLength = 256;
    private Pattern pattern;
    private String patternRule;
    private boolean distinct;

    StringListParam(String name) {
        super(name);
    }

    public StringListParam maxItems(int maxItems) {
        StringListParam c = copy();
        c.maxItems = maxItems;
        return c;
    }

    public StringListParam maxItemLength(int maxItemLength) {
        StringListParam c = copy();
        c.maxItemLength = maxItemLength;
        return c;
    }

    public StringListParam pattern(Pattern pattern, String rule) {
        StringListParam c = copy();
        c.pattern = pattern;
        c.patternRule = rule;
        return c;
    }

    /** Refuse repeated items. */
    public StringListParam distinct() {
        StringListParam c = copy();
        c.distinct = true;
        return c;
    }

    @Override
    public java.util.Map<String, Object> schema() {
        java.util.Map<String, Object> item = new java.util.LinkedHashMap<>();
        item.put("type", "string");
        item.put("maxLength", maxItemLength);
        if (pattern != null) item.put("pattern", "^(?:" + pattern.pattern() + ")$");
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("description", "comma-separated text, or a JSON array");
        m.put("type", "array");
        m.put("items", item);
        m.put("maxItems", maxItems);
        if (distinct) m.put("uniqueItems", true);
        return m;
    }

    @Override
    public String rule() {
        return "comma-separated list of at most " + maxItems + (patternRule == null ? " items" : " items, each " + patternRule);
    }

    @Override
    protected List<String> parse(JsonNode value) throws InvalidParam {
        List<String> items = ListItems.split(value, maxItems);
        Set<String> seen = new HashSet<>();
        for (String item : items) {
            if (item.isEmpty()) throw new InvalidParam("must not contain empty items");
            if (item.length() > maxItemLength) throw new InvalidParam("items must be at most " + maxItemLength + " characters");
            if (pattern != null && !pattern.matcher(item).matches()) {
                throw new InvalidParam("'" + Texts.shortened(item, 40) + "' is not " + patternRule);
            }
            if (distinct && !seen.add(item)) throw new InvalidParam("'" + Texts.shortened(item, 40) + "' is repeated");
        }
        return items;
    }
}
