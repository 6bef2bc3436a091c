package io.omix.server.common.time;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()}'s text, written by hand for the years 1000 to 9999: every request's audit
 * entry carries its time, and the mover hashes it again; through {@code DateTimeFormatter} that was 3 %
 * of a light read. Other years take {@link Instant#toString()} itself. {@code IsoInstantTest} holds the
 * two equal.
 */
public final class IsoInstant {
    private static final long SECONDS_OF_YEAR_1000 = -30_610_224_000L;   // 1000-01-01T00:00:00Z
    private static final long SECONDS_OF_YEAR_10000 = 253_402_300_800L;  // 10000-01-01T00:00:00Z

    private IsoInstant() {}

    public static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < SECONDS_OF_YEAR_1000 || seconds >= SECONDS_OF_YEAR_10000) return t.toString();
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        LocalDate date = LocalDate.ofEpochDay(days);
        int nanos = t.getNano();
        char[] out = new char[30];
        OpenTime.digits(out, 0, date.getYear(), 4);
        out[4] = '-';
        OpenTime.digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        OpenTime.digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        OpenTime.digits(out, 11, secondOfDay / 3600, 2);
        out[13] = ':';
        OpenTime.digits(out, 14, secondOfDay / 60 % 60, 2);
        out[16] = ':';
        OpenTime.digits(out, 17, secondOfDay % 60, 2);
        int end = 19;
        // As ISO_INSTANT: no fraction for a whole second, else 3, 6 or 9 digits, the fewest that hold it.
        if (nanos != 0) {
            out[end++] = '.';
            if (nanos % 1_000_000 == 0) {
                OpenTime.digits(out, end, nanos / 1_000_000, 3);
                end += 3;
            } else if (nanos % 1000 == 0) {
                OpenTime.digits(out, end, nanos / 1000, 6);
                end += 6;
            } else {
                OpenTime.digits(out, end, nanos, 9);
                end += 9;
            }
        }
        out[end++] = 'Z';
        return new String(out, 0, end);
    }
}
