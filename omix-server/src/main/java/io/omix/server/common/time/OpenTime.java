package io.omix.server.common.time;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The platform's times as its answers write them, {@code 2024-01-02T03:04:05+0800} ({@link #PATTERN}) or with
 * microseconds, {@code 2024-01-02T03:04:05.123456+0800} ({@link #MICROS_PATTERN}): by hand for the years 1000 to
 * 9999 and offsets of whole minutes, through the pattern otherwise. A page of stream records writes two a record,
 * and the pattern's printer was a tenth of the page's time. {@code OpenTimeTest} holds the two equal.
 */
public final class OpenTime {
    public static final DateTimeFormatter PATTERN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx");
    public static final DateTimeFormatter MICROS_PATTERN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxx");

    private OpenTime() {}

    /** As {@link #PATTERN}. */
    public static String format(OffsetDateTime t) {
        return format(t, false);
    }

    /** As {@link #MICROS_PATTERN}. */
    public static String formatMicros(OffsetDateTime t) {
        return format(t, true);
    }

    private static String format(OffsetDateTime t, boolean micros) {
        int year = t.getYear();
        int offset = t.getOffset().getTotalSeconds();
        if (year < 1000 || year > 9999 || offset % 60 != 0) return (micros ? MICROS_PATTERN : PATTERN).format(t);
        char[] out = new char[micros ? 31 : 24];
        digits(out, 0, year, 4);
        out[4] = '-';
        digits(out, 5, t.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, t.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, t.getHour(), 2);
        out[13] = ':';
        digits(out, 14, t.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, t.getSecond(), 2);
        int at = 19;
        if (micros) {
            out[at++] = '.';
            digits(out, at, t.getNano() / 1000, 6);
            at += 6;
        }
        out[at] = offset < 0 ? '-' : '+';
        int minutes = Math.abs(offset) / 60;
        digits(out, at + 1, minutes / 60, 2);
        digits(out, at + 3, minutes % 60, 2);
        return new String(out);
    }

    /** {@code value} in {@code width} decimal digits at {@code at} (the time formats of this package). */
    static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
