package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

/** A whole number within a range (by default any int). */
public final class IntParam extends Param<Integer, IntParam> {
    private long min = Integer.MIN_VALUE;
    private long max = Integer.MAX_VALUE;

    IntParam(String name) {
        super(name);
    }

    public IntParam range(int min, int max) {
        IntParam c = copy();
        c.min = min;
        c.max = max;
        return c;
    }

    @Override
    public String rule() {
        return "an integer from " + min + " to " + max;
    }

    @Override
    protected Integer parse(JsonNode value) throws InvalidParam {
        long n = Numbers.parseLong(value, this);
        if (n < min || n > max) throw new InvalidParam("must be " + rule());
        return (int) n;
    }
}
