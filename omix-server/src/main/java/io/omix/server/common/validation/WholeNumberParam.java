package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

/** A whole number within a range: what {@link IntParam} and {@link LongParam} share. */
abstract class WholeNumberParam<T extends Number, P extends WholeNumberParam<T, P>> extends Param<T, P> {
    private long min;
    private long max;

    WholeNumberParam(String name, long min, long max) {
        super(name);
        this.min = min;
        this.max = max;
    }

    /** A copy accepting only {@code min..max}. */
    P within(long min, long max) {
        P c = copy();
        ((WholeNumberParam<T, P>) c).min = min;
        ((WholeNumberParam<T, P>) c).max = max;
        return c;
    }

    abstract T of(long value);

    @Override
    public java.util.Map<String, Object> schema() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("type", "integer");
        if (min > Long.MIN_VALUE) m.put("minimum", min);
        if (max < Long.MAX_VALUE) m.put("maximum", max);
        return m;
    }

    @Override
    public String rule() {
        return "an integer from " + min + " to " + max;
    }

    @Override
    protected T parse(JsonNode value) throws InvalidParam {
        long n = Numbers.parseLong(value, this);
        if (n < min || n > max) throw new InvalidParam("must be " + rule());
        return of(n);
    }
}
