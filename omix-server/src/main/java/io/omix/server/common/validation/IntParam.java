package io.omix.server.common.validation;

/** A whole number within a range (by default any int). */
public final class IntParam extends WholeNumberParam<Integer, IntParam> {
    IntParam(String name) {
        super(name, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public IntParam range(int min, int max) {
        return within(min, max);
    }

    @Override
    Integer of(long value) {
        return (int) value;
    }
}
