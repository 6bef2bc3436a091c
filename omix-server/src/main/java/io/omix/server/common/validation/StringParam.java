package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.regex.Pattern;

/** A text parameter; at most 1024 characters unless declared otherwise, never control characters. */
public final class StringParam extends Param<String, StringParam> {
    private int maxLength = 1024;
    private Pattern pattern;
    private String patternRule;
    private List<String> allowed;

    StringParam(String name) {
        super(name);
    }

    public StringParam maxLength(int max) {
        StringParam c = copy();
        c.maxLength = max;
        return c;
    }

    /** The whole value must match; {@code rule} says in words what it is, e.g. "E- + a letter + 11 digits". */
    public StringParam pattern(Pattern pattern, String rule) {
        StringParam c = copy();
        c.pattern = pattern;
        c.patternRule = rule;
        return c;
    }

    public StringParam oneOf(String... values) {
        StringParam c = copy();
        c.allowed = List.of(values);
        return c;
    }

    @Override
    public java.util.Map<String, Object> schema() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", "string");
        if (allowed != null) m.put("enum", allowed);
        m.put("maxLength", maxLength);
        if (pattern != null) m.put("pattern", "^(?:" + pattern.pattern() + ")$");
        return m;
    }

    @Override
    public String rule() {
        if (allowed != null) return "one of " + String.join(", ", allowed);
        if (pattern != null) return patternRule;
        return "text of at most " + maxLength + " characters";
    }

    @Override
    protected String parse(JsonNode value) throws InvalidParam {
        String text = scalarText(value);
        if (text.length() > maxLength) throw new InvalidParam("must be at most " + maxLength + " characters");
        if (allowed != null && !allowed.contains(text)) throw new InvalidParam("must be " + rule());
        if (pattern != null && !pattern.matcher(text).matches()) throw new InvalidParam("must be " + patternRule);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                throw new InvalidParam("must not contain control characters");
            }
        }
        return text;
    }

    /**
     * True when {@code text} holds a control character (tabs and line breaks included): for names read outside the
     * declared parameters (a client id in a header, a username in a sign-in form, an id decoded from base64), which
     * never hold one, and a NUL of which the database would refuse with a failure.
     */
    public static boolean hasControlCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) return true;
        }
        return false;
    }
}
