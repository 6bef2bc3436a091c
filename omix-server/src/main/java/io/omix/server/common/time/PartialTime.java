package io.omix.server.common.time;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time as the platform accepts it (protocol notes, section 2): a year ({@code 1986}), a month
 * ({@code 1970-01}), a date ({@code 2021-04-01}), a date-time with minutes, seconds or up to six
 * fraction digits ({@code 2021-04-01 10:11:00.123456}, space or {@code T}), and optionally an
 * offset ({@code Z}, {@code +08:00}, {@code +0800}). Parts not given are the start of the period;
 * a missing offset is the platform's default zone. The mask records which parts were given, as
 * {@code 1111-11-00T00:00:00.000000±1111} (offset digits are always 1: an instant always has one).
 */
public record PartialTime(int year, int month, int day, int hour, int minute, int second, int micros, ZoneOffset offset,
                          String mask) {
    private static final Pattern FORMAT = Pattern.compile(
            "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?)?)?)?"
                    + "(Z|[+-]\\d{2}:?\\d{2})?");

    /**
     * @throws IllegalArgumentException with the reason, for anything else (out-of-range parts included)
     */
    public static PartialTime parse(String text) {
        if (text == null || text.length() > 40) throw new IllegalArgumentException("is not a time");
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a time: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS[.ffffff]], optionally with an offset");
        }
        if (m.group(8) != null && m.group(4) == null) throw new IllegalArgumentException("an offset needs a time of day");
        int year = Integer.parseInt(m.group(1));
        int month = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
        int day = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
        int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
        int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
        String fraction = m.group(7) == null ? "" : m.group(7);
        int micros = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000").substring(0, 6));
        ZoneOffset offset = null;
        try {
            LocalDateTime.of(year, month, day, hour, minute, second); // checks every range, leap days included
            if (m.group(8) != null) {
                String o = m.group(8);
                offset = o.equals("Z") ? ZoneOffset.UTC : ZoneOffset.of(o.length() == 5 ? o.substring(0, 3) + ":" + o.substring(3) : o);
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("is not a valid time: " + e.getMessage());
        }
        if (year < 1) throw new IllegalArgumentException("is not a valid time: year must be 1 or later");
        String mask = "1111-" + given(m.group(2), 2) + "-" + given(m.group(3), 2) + "T" + given(m.group(4), 2) + ":" + given(m.group(5), 2)
                + ":" + given(m.group(6), 2) + "." + "1".repeat(fraction.length()) + "0".repeat(6 - fraction.length()) + "±1111";
        return new PartialTime(year, month, day, hour, minute, second, micros, offset, mask);
    }

    private static String given(String part, int width) {
        return (part == null ? "0" : "1").repeat(width);
    }

    /** The instant, in this time's offset, or the default zone when none was given. */
    public OffsetDateTime resolve(ZoneOffset defaultZone) {
        return OffsetDateTime.of(year, month, day, hour, minute, second, micros * 1000, offset != null ? offset : defaultZone);
    }

    /**
     * The text {@link #parse} reads back as this time with this mask: only the parts the mask says were
     * given, and the offset (the one stored) when a time of day was. Exports write stream times so.
     */
    public static String text(OffsetDateTime time, String mask) {
        if (mask == null || mask.length() < 26) return OpenTime.formatMicros(time);
        StringBuilder out = new StringBuilder(String.format("%04d", time.getYear()));
        if (mask.charAt(5) != '1') return out.toString();
        out.append(String.format("-%02d", time.getMonthValue()));
        if (mask.charAt(8) != '1') return out.toString();
        out.append(String.format("-%02d", time.getDayOfMonth()));
        if (mask.charAt(11) != '1') return out.toString();
        out.append(String.format("T%02d:%02d", time.getHour(), time.getMinute()));
        if (mask.charAt(17) == '1') {
            out.append(String.format(":%02d", time.getSecond()));
            int digits = (int) mask.substring(20, 26).chars().filter(c -> c == '1').count();
            if (digits > 0) out.append('.').append(String.format("%06d", time.getNano() / 1000), 0, digits);
        }
        return out.append(time.getOffset().getId().equals("Z") ? "Z" : time.getOffset().getId()).toString();
    }

    /** How the platform writes a time: {@code 2017-01-01T00:00:00.000000+0800}. */
    public static String render(OffsetDateTime time) {
        return OpenTime.formatMicros(time);
    }
}
