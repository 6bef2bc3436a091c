package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.common.time.PartialTime;

/** A time in any of the platform's forms ({@link PartialTime}). */
public final class PartialTimeParam extends Param<PartialTime, PartialTimeParam> {
    PartialTimeParam(String name) {
        super(name);
    }

    @Override
    public String rule() {
        return "a time: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS[.ffffff]], optionally with an offset";
    }

    @Override
    protected PartialTime parse(JsonNode value) throws InvalidParam {
        try {
            return PartialTime.parse(scalarText(value));
        } catch (IllegalArgumentException e) {
            throw new InvalidParam(e.getMessage());
        }
    }
}
