package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Pattern;

/** Strict number parsing shared by the numeric parameters: digits only, no spaces, no fractions. */
final class Numbers {
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

    private Numbers() {}

    static long parseLong(JsonNode value, Param<?, ?> param) throws Param.InvalidParam {
        if (value.isIntegralNumber() && value.canConvertToLong()) return value.longValue();
        if (value.isTextual() && INTEGER.matcher(value.textValue()).matches()) return Long.parseLong(value.textValue());
        throw new Param.InvalidParam("must be " + param.rule());
    }

    static long parseItem(String item, Param<?, ?> param) throws Param.InvalidParam {
        if (item.isEmpty()) throw new Param.InvalidParam("must not contain empty items");
        if (!INTEGER.matcher(item).matches()) throw new Param.InvalidParam("'" + Texts.shortened(item, 40) + "' is not an integer");
        return Long.parseLong(item);
    }
}
