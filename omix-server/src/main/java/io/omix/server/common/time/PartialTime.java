package io.omix.server.common.time;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
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
        PartialTime quick = parseWritten(text.trim());
        return quick != null ? quick : parseByPattern(text);
    }

    /**
     * The common case read by hand, as {@link #FORMAT} reads it at its first try: a record's time is parsed for
     * every record written, and the pattern was a twentieth of a batch write's time. Null for anything it does not
     * read whole (and for every refusal), which {@link #parseByPattern} then reads, its messages included.
     * {@code PartialTimeTest} holds the two equal.
     */
    static PartialTime parseWritten(String t) {
        int n = t.length();
        if (n < 4 || !digits(t, 0, 4)) return null;
        int year = number(t, 0, 4);
        int month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, fractionDigits = 0;
        boolean hasMonth = false, hasDay = false, hasTime = false, hasSecond = false;
        int at = 4;
        if (at + 3 <= n && t.charAt(at) == '-' && digits(t, at + 1, 2)) {
            month = number(t, at + 1, 2);
            hasMonth = true;
            at += 3;
            if (at + 3 <= n && t.charAt(at) == '-' && digits(t, at + 1, 2)) {
                day = number(t, at + 1, 2);
                hasDay = true;
                at += 3;
                if (at + 6 <= n && (t.charAt(at) == 'T' || t.charAt(at) == ' ') && digits(t, at + 1, 2) && t.charAt(at + 3) == ':'
                        && digits(t, at + 4, 2)) {
                    hour = number(t, at + 1, 2);
                    minute = number(t, at + 4, 2);
                    hasTime = true;
                    at += 6;
                    if (at + 3 <= n && t.charAt(at) == ':' && digits(t, at + 1, 2)) {
                        second = number(t, at + 1, 2);
                        hasSecond = true;
                        at += 3;
                        if (at + 2 <= n && t.charAt(at) == '.' && digits(t, at + 1, 1)) {
                            int from = ++at;
                            while (at < n && at - from < 6 && isDigit(t.charAt(at))) at++;
                            fractionDigits = at - from;
                            micros = number(t, from, fractionDigits);
                            for (int i = fractionDigits; i < 6; i++) micros *= 10;
                        }
                    }
                }
            }
        }
        ZoneOffset offset = null;
        if (at < n) {
            if (!hasTime) return null;   // an offset needs a time of day: refused by the pattern's reading, with its message
            if (t.charAt(at) == 'Z' && at + 1 == n) {
                offset = ZoneOffset.UTC;
            } else if ((t.charAt(at) == '+' || t.charAt(at) == '-') && digits(t, at + 1, 2)) {
                int minutesAt = at + 3 < n && t.charAt(at + 3) == ':' ? at + 4 : at + 3;
                if (minutesAt + 2 != n || !digits(t, minutesAt, 2)) return null;
                int hours = number(t, at + 1, 2);
                int minutes = number(t, minutesAt, 2);
                if (hours > 18 || minutes > 59 || hours == 18 && minutes > 0) return null;
                int sign = t.charAt(at) == '-' ? -1 : 1;
                offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
            } else {
                return null;
            }
        }
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth() || hour > 23
                || minute > 59 || second > 59) {
            return null;
        }
        char[] mask = "1111-00-00T00:00:00.000000±1111".toCharArray();
        if (hasMonth) mask[5] = mask[6] = '1';
        if (hasDay) mask[8] = mask[9] = '1';
        if (hasTime) mask[11] = mask[12] = mask[14] = mask[15] = '1';
        if (hasSecond) mask[17] = mask[18] = '1';
        for (int i = 0; i < fractionDigits; i++) mask[20 + i] = '1';
        return new PartialTime(year, month, day, hour, minute, second, micros, offset, new String(mask));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean digits(String t, int from, int count) {
        if (from + count > t.length()) return false;
        for (int i = from; i < from + count; i++) if (!isDigit(t.charAt(i))) return false;
        return true;
    }

    private static int number(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) v = v * 10 + (t.charAt(i) - '0');
        return v;
    }

    /** The reading by {@link #FORMAT}: everything {@link #parseWritten} leaves, refusals and their messages included. */
    static PartialTime parseByPattern(String text) {
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
            throw new IllegalArgumentException("is not a valid time: " + inPlainWords(e.getMessage()));
        }
        if (year < 1) throw new IllegalArgumentException("is not a valid time: year must be 1 or later");
        String mask = "1111-" + given(m.group(2), 2) + "-" + given(m.group(3), 2) + "T" + given(m.group(4), 2) + ":" + given(m.group(5), 2)
                + ":" + given(m.group(6), 2) + "." + "1".repeat(fraction.length()) + "0".repeat(6 - fraction.length()) + "±1111";
        return new PartialTime(year, month, day, hour, minute, second, micros, offset, mask);
    }

    private static String given(String part, int width) {
        return (part == null ? "0" : "1").repeat(width);
    }

    /** Why a time {@link #withinYears} refuses is refused. */
    public static final String OUTSIDE_YEARS = "is outside the years 1 to 9999 once taken to UTC";

    /**
     * Whether this time, in its offset or the default zone, falls within the years 1 to 9999 in UTC: what answers write
     * and page tokens name (0001-01-01 at +08:00 is in the year 0 in UTC, and a page ending on it could not be turned).
     */
    public boolean withinYears(ZoneOffset defaultZone) {
        int year = resolve(defaultZone).withOffsetSameInstant(ZoneOffset.UTC).getYear();
        return year >= 1 && year <= 9999;
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

    private static final Pattern OUT_OF_RANGE = Pattern.compile("Invalid value for (\\w+) \\(valid values ([^)]*)\\): (\\S+)");
    private static final Pattern NO_SUCH_DAY = Pattern.compile("Invalid date '([A-Za-z]+) (\\d+)'(?: as '(-?\\d+)' is not a leap year)?");
    private static final Map<String, String> FIELDS = Map.of("MonthOfYear", "month", "DayOfMonth", "day", "HourOfDay", "hour",
            "MinuteOfHour", "minute", "SecondOfMinute", "second", "Year", "year");

    /** The JDK's refusal of a time in the words of the time's own parts: "month 13 is out of range (1 - 12)", not "MonthOfYear". */
    static String inPlainWords(String message) {
        String text = message == null ? "" : message;
        Matcher m = OUT_OF_RANGE.matcher(text);
        if (m.find()) return FIELDS.getOrDefault(m.group(1), "a part") + " " + m.group(3) + " is out of range (" + m.group(2) + ")";
        m = NO_SUCH_DAY.matcher(text);
        if (m.find()) {
            String day = m.group(1).charAt(0) + m.group(1).substring(1).toLowerCase(java.util.Locale.ROOT) + " " + m.group(2);
            return m.group(3) == null ? day + " does not exist" : day + " does not exist in " + m.group(3);
        }
        return text;
    }
}
