package io.omix.sdk;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times as the platform writes and reads them. It writes several forms ({@code 2025-06-01T08:00:00+0800},
 * {@code 2025-06-01 08:00:00.123456+08:00}, {@code ...Z}); {@link #parse} reads every one of them.
 * It reads {@code yyyy-MM-dd HH:mm:ss.SSSSSS} with an offset; {@link #format} writes that (at most
 * microseconds: the platform keeps no finer).
 */
public final class Times {
    /** The offset the platform gives times written without one (its {@code time.default-zone} default). */
    public static final ZoneOffset PLATFORM_DEFAULT_OFFSET = ZoneOffset.ofHours(8);
    private static final Pattern FORM = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?))?\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSxxx");

    private Times() {}

    /**
     * A time window as the platform reads it, both ends included. A window of dates means whole days:
     * it ends at the last microsecond of its last day, so that day's records are in.
     */
    record Window(String start, String end) {
        static Window days(LocalDate first, LocalDate last) {
            if (last.isBefore(first)) throw new IllegalArgumentException("the last day is before the first");
            return new Window(first.toString(), last + " 23:59:59.999999");
        }

        static Window between(OffsetDateTime from, OffsetDateTime to) {
            if (to.isBefore(from)) throw new IllegalArgumentException("the end is before the start");
            return new Window(format(from), format(to));
        }
    }

    /** {@link #parse}, with a blank text read as no time (answers write "" for an unset time). */
    static OffsetDateTime parseOrNull(String text) {
        return text == null || text.isBlank() ? null : parse(text);
    }

    /**
     * Reads a time the platform wrote. A date alone is its start; a time without an offset is at
     * {@link #PLATFORM_DEFAULT_OFFSET}.
     *
     * @param text a time as the platform writes it ({@code 2025-06-01T08:00:00+0800},
     *             {@code 2025-06-01 08:00:00.123456+08:00}, {@code ...Z}, a date alone), or null
     * @return the time with the offset written (or the platform's default), or null for null
     * @throws IllegalArgumentException when {@code text} is none of the platform's forms, or an impossible date or time
     */
    public static OffsetDateTime parse(String text) {
        if (text == null) return null;
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("not a time the platform writes: " + text);
        try {
            LocalDate date = LocalDate.parse(m.group(1));
            LocalDateTime local = m.group(2) == null ? date.atStartOfDay() : LocalDateTime.parse(m.group(1) + "T" + (m.group(2).length() == 5 ? m.group(2) + ":00" : m.group(2)));
            String zone = m.group(3);
            ZoneOffset offset;
            if (zone == null) offset = PLATFORM_DEFAULT_OFFSET;
            else if (zone.equals("Z")) offset = ZoneOffset.UTC;
            else if (zone.length() == 3) offset = ZoneOffset.of(zone + ":00");
            else if (zone.length() == 5) offset = ZoneOffset.of(zone.substring(0, 3) + ":" + zone.substring(3));
            else offset = ZoneOffset.of(zone);
            return local.atOffset(offset);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not a valid time: " + text, e);
        }
    }

    /**
     * Writes {@code time} as the platform reads it.
     *
     * @param time the time to write
     * @return {@code yyyy-MM-dd HH:mm:ss.SSSSSS+hh:mm}: to the microsecond (finer digits dropped), with its offset
     */
    public static String format(OffsetDateTime time) {
        return WRITE.format(time.truncatedTo(ChronoUnit.MICROS));
    }

    /**
     * Writes {@code time} as the platform reads it, in UTC.
     *
     * @param time the instant to write
     * @return {@code yyyy-MM-dd HH:mm:ss.SSSSSS+00:00}, to the microsecond
     */
    public static String format(java.time.Instant time) {
        return format(time.atOffset(ZoneOffset.UTC));
    }
}
