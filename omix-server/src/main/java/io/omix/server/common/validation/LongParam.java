package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

/** A whole number that may exceed int (ids such as batch numbers). */
public final class LongParam extends Param<Long, LongParam> {
    private long min = Long.MIN_VALUE;
    private long max = Long.MAX_VALUE;

    LongParam(String name) {
        super(name);
    }

    public LongParam range(long min, long max) {
        LongParam c = copy();
        c.min = min;
        c.max = max;
        return c;
    }

    @Override
    public String rule() {
        return "an integer from " + min + " to " + max;
    }

    @Override
    protected Long parse(JsonNode value) throws InvalidParam {
        long n = Numbers.parseLong(value, this);
        if (n < min || n > max) throw new InvalidParam("must be " + rule());
        return n;
    }
}
