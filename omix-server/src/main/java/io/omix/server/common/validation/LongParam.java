package io.omix.server.common.validation;

/** A whole number that may exceed int (ids such as batch numbers). */
public final class LongParam extends WholeNumberParam<Long, LongParam> {
    LongParam(String name) {
        super(name, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public LongParam range(long min, long max) {
        return within(min, max);
    }

    @Override
    Long of(long value) {
        return value;
    }
}
