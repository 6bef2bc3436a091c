package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * One declared request parameter: its name, how its text becomes a typed value, its constraints,
 * whether it is required and its default. Declared once per endpoint as constants and read back
 * from {@link Params} with {@link Params#get(Param)}.
 *
 * @param <T> the parsed type
 * @param <P> the concrete parameter type, so that constraint methods chain
 *
 * <p>Declarations are values: every constraint method returns a changed copy, so a constant shared
 * by several endpoints never changes under them (e.g. {@code ID.required()} in one spec leaves {@code ID} optional).
 */
public abstract class Param<T, P extends Param<T, P>> implements Cloneable {
    private final String name;
    private boolean required;
    private T defaultValue;
    private String description = "";

    protected Param(String name) {
        this.name = Objects.requireNonNull(name);
    }

    public static StringParam string(String name) {
        return new StringParam(name);
    }

    public static IntParam integer(String name) {
        return new IntParam(name);
    }

    public static LongParam longInt(String name) {
        return new LongParam(name);
    }

    public static DecimalParam decimal(String name) {
        return new DecimalParam(name);
    }

    public static DateTimeParam dateTime(String name) {
        return new DateTimeParam(name);
    }

    public static PartialTimeParam partialTime(String name) {
        return new PartialTimeParam(name);
    }

    public static BoolParam bool(String name) {
        return new BoolParam(name);
    }

    public static IntListParam intList(String name) {
        return new IntListParam(name);
    }

    public static StringListParam stringList(String name) {
        return new StringListParam(name);
    }

    public static JsonParam json(String name) {
        return new JsonParam(name);
    }

    @SuppressWarnings("unchecked")
    protected final P self() {
        return (P) this;
    }

    public String name() {
        return name;
    }

    public P required() {
        P c = copy();
        ((Param<T, P>) c).required = true;
        return c;
    }

    /** The value when the parameter is absent (or empty). */
    public P orElse(T value) {
        P c = copy();
        ((Param<T, P>) c).defaultValue = value;
        return c;
    }

    public P describe(String text) {
        P c = copy();
        ((Param<T, P>) c).description = text;
        return c;
    }

    /** A copy to change: declarations stay values. */
    @SuppressWarnings("unchecked")
    protected final P copy() {
        try {
            return (P) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isRequired() {
        return required;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** A short statement of what is accepted, for docs and error messages. */
    public abstract String rule();

    /** The value's JSON Schema, as the served OpenAPI document describes the parameter (the rule in words goes beside it). */
    public java.util.Map<String, Object> schema() {
        return new java.util.LinkedHashMap<>(java.util.Map.of("type", "string"));
    }

    /**
     * Parses one given value (a JSON text node for query and form fields, any node from a JSON body).
     *
     * @throws InvalidParam with the reason when the value is not acceptable
     */
    protected abstract T parse(JsonNode value) throws InvalidParam;

    /** Text of a scalar node; objects and arrays are refused. */
    protected static String scalarText(JsonNode value) throws InvalidParam {
        if (value.isContainerNode()) throw new InvalidParam("must be a single value, not " + value.getNodeType().name().toLowerCase());
        return value.asText();
    }

    /** Why a given value was refused. */
    public static final class InvalidParam extends Exception {
        public InvalidParam(String reason) {
            super(reason, null, false, false);
        }
    }
}
