package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** A decimal number (e.g. a sequencing depth): plain notation or exponent, at most 30 characters. */
public final class DecimalParam extends Param<BigDecimal, DecimalParam> {
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?");

    DecimalParam(String name) {
        super(name);
    }

    @Override
    public java.util.Map<String, Object> schema() {
        return new java.util.LinkedHashMap<>(java.util.Map.of("type", "number"));
    }

    @Override
    public String rule() {
        return "a number";
    }

    @Override
    protected BigDecimal parse(JsonNode value) throws InvalidParam {
        if (value.isNumber()) {
            if (!Double.isFinite(value.doubleValue())) throw new InvalidParam("must be a finite number");
            BigDecimal d = value.decimalValue();
            if (d.precision() - d.scale() > 30 || d.scale() > 30) throw new InvalidParam("must be a number of at most 30 digits");
            return d;
        }
        String text = scalarText(value);
        if (text.length() > 30 || !NUMBER.matcher(text).matches()) throw new InvalidParam("must be a number");
        BigDecimal d = new BigDecimal(text);
        // As sent as a JSON number: 1e999 as text is no more a number a client reads back than it is in JSON.
        if (d.precision() - d.scale() > 30 || d.scale() > 30) throw new InvalidParam("must be a number of at most 30 digits");
        return d;
    }
}
