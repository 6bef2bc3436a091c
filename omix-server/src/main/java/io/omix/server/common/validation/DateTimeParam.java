package io.omix.server.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A point in time: an ISO 8601 date-time with offset, or a date (midnight UTC). */
public final class DateTimeParam extends Param<OffsetDateTime, DateTimeParam> {
    DateTimeParam(String name) {
        super(name);
    }

    @Override
    public String rule() {
        return "a date (YYYY-MM-DD) or an ISO 8601 date-time with offset";
    }

    @Override
    protected OffsetDateTime parse(JsonNode value) throws InvalidParam {
        String text = scalarText(value).trim();
        if (text.length() > 40) throw new InvalidParam("must be " + rule());
        try {
            if (text.length() == 10) return LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC);
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidParam("must be " + rule());
        }
    }
}
