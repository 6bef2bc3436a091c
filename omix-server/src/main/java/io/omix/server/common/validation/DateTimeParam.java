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
        OffsetDateTime t;
        try {
            t = text.length() == 10 ? LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC) : OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidParam("must be " + rule());
        }
        // To the microsecond, as both databases store it: cut here, not rounded there (9999-12-31T23:59:59.9999999Z was
        // rounded into the year 10000, which no answer could write).
        t = t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        // Both databases hold these years (in UTC, as stored), and the answers write them as they were given (PostgreSQL stored a year
        // before 4713 BC as -infinity, which no read could place, and refuses one after 294276).
        int year = t.withOffsetSameInstant(ZoneOffset.UTC).getYear(); // as stored, and as answers and archives write it
        if (t.getYear() < 1 || t.getYear() > 9999 || year < 1 || year > 9999) throw new InvalidParam("must be in the years 1 to 9999");
        return t;
    }
}
