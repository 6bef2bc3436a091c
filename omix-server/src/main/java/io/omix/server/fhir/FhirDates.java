package io.omix.server.fhir;

import io.omix.server.common.db.SqlWhere;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.time.PartialTime;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * FHIR's {@code date} search parameter over an instant: a prefix ({@code eq ne gt lt ge le sa eb}, {@code eq}
 * when none) and a value whose precision is a range: {@code 2025-06} is all of June. For a point in time,
 * {@code eq} is inside the range, {@code ne} outside it, {@code gt}/{@code sa} after its end, {@code lt}/{@code eb}
 * before its start, {@code ge} from its start on, {@code le} up to its end. Several are all required.
 */
final class FhirDates {
    private FhirDates() {}

    record Condition(String prefix, OffsetDateTime start, OffsetDateTime end) {}

    static List<Condition> parse(List<String> values, ZoneOffset zone) {
        List<Condition> out = new ArrayList<>();
        for (String v : values) {
            String prefix = v.length() >= 2 && Character.isLetter(v.charAt(0)) ? v.substring(0, 2) : "eq";
            String time = v.length() >= 2 && Character.isLetter(v.charAt(0)) ? v.substring(2) : v;
            if (!List.of("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb").contains(prefix)) {
                throw ApiException.invalidParam("date", "the prefix is one of eq ne gt lt ge le sa eb, not '" + prefix + "'");
            }
            PartialTime t;
            try {
                t = PartialTime.parse(time);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidParam("date", "'" + io.omix.server.common.validation.Texts.shortened(time, 40) + "' " + e.getMessage());
            }
            OffsetDateTime start = t.resolve(zone);
            out.add(new Condition(prefix, start, endOf(start, t.mask())));
        }
        return out;
    }

    /** The end (excluded) of the range a value's precision makes: a year, a month, a day, a minute, a second, a fraction. */
    static OffsetDateTime endOf(OffsetDateTime start, String mask) {
        if (mask.charAt(5) == '0') return start.plusYears(1);
        if (mask.charAt(8) == '0') return start.plusMonths(1);
        if (mask.charAt(11) == '0') return start.plusDays(1);
        if (mask.charAt(17) == '0') return start.plusMinutes(1);
        int digits = mask.substring(20, 26).replace("0", "").length();
        return start.plusNanos(digits == 0 ? 1_000_000_000L : (long) Math.pow(10, 9 - digits));
    }

    /** The conditions as SQL on {@code generate_time}. */
    static Consumer<SqlWhere> where(List<Condition> conditions) {
        return w -> {
            for (Condition c : conditions) {
                switch (c.prefix()) {
                    case "eq" -> w.and("generate_time >= ? AND generate_time < ?", c.start(), c.end());
                    case "ne" -> w.and("(generate_time < ? OR generate_time >= ?)", c.start(), c.end());
                    case "gt", "sa" -> w.and("generate_time >= ?", c.end());
                    case "lt", "eb" -> w.and("generate_time < ?", c.start());
                    case "ge" -> w.and("generate_time >= ?", c.start());
                    case "le" -> w.and("generate_time < ?", c.end());
                    default -> throw new IllegalStateException(c.prefix());
                }
            }
        };
    }
}
