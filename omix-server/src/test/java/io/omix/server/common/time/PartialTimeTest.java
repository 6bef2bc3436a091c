package io.omix.server.common.time;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The time parser, by properties over generated times in every accepted form, and by the original clients' documented examples. */
class PartialTimeTest {
    static final ZoneOffset CHINA = ZoneOffset.ofHours(8);

    /** A time and the precision it is written with: 0 year, 1 month, 2 day, 3 minute, 4 second, 5..10 fraction digits 1..6. */
    record Written(LocalDateTime time, int precision, ZoneOffset offset, boolean space) {
        String text() {
            StringBuilder s = new StringBuilder(String.format("%04d", time.getYear()));
            if (precision >= 1) s.append(String.format("-%02d", time.getMonthValue()));
            if (precision >= 2) s.append(String.format("-%02d", time.getDayOfMonth()));
            if (precision >= 3) s.append(space ? ' ' : 'T').append(String.format("%02d:%02d", time.getHour(), time.getMinute()));
            if (precision >= 4) s.append(String.format(":%02d", time.getSecond()));
            if (precision >= 5) s.append('.').append(String.format("%06d", time.getNano() / 1000), 0, precision - 4);
            if (precision >= 3 && offset != null) s.append(offset.getTotalSeconds() == 0 ? "Z" : offset.getId());
            return s.toString();
        }

        /** The time truncated to what was written. */
        LocalDateTime expected() {
            LocalDateTime t = time;
            if (precision < 1) t = t.withMonth(1);
            if (precision < 2) t = t.withDayOfMonth(1);
            if (precision < 3) t = t.truncatedTo(ChronoUnit.DAYS);
            if (precision == 3) t = t.truncatedTo(ChronoUnit.MINUTES);
            if (precision == 4) t = t.truncatedTo(ChronoUnit.SECONDS);
            if (precision >= 5) {
                int digits = precision - 4;
                long unit = (long) Math.pow(10, 9 - digits);
                t = t.withNano((int) (t.getNano() / unit * unit));
            }
            return t;
        }
    }

    @Provide
    Arbitrary<Written> written() {
        Arbitrary<LocalDateTime> times = Combinators.combine(
                Arbitraries.integers().between(1, 9999), Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 31),
                Arbitraries.integers().between(0, 23), Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 59),
                Arbitraries.integers().between(0, 999_999))
                .filter((y, mo, d, h, mi, s, us) -> d <= java.time.YearMonth.of(y, mo).lengthOfMonth())
                .as((y, mo, d, h, mi, s, us) -> LocalDateTime.of(y, mo, d, h, mi, s, us * 1000));
        Arbitrary<ZoneOffset> offsets = Arbitraries.integers().between(-18 * 4, 18 * 4)
                .map(q -> ZoneOffset.ofTotalSeconds(q * 15 * 60)).injectNull(0.4);
        return Combinators.combine(times, Arbitraries.integers().between(0, 10), offsets, Arbitraries.of(true, false)).as(Written::new);
    }

    @Property(tries = 2000)
    void everyAcceptedFormParsesToWhatWasWritten(@ForAll("written") Written w) {
        PartialTime t = PartialTime.parse(w.text());
        LocalDateTime expected = w.expected();
        ZoneOffset offset = w.precision() >= 3 && w.offset() != null ? w.offset() : CHINA;
        assertEquals(expected.atOffset(offset), t.resolve(CHINA), w.text());
    }

    /** Every form the platform takes is read by hand, to what the pattern reads. */
    @Property(tries = 3000)
    void everyWrittenFormIsReadByHandAsThePatternReadsIt(@ForAll("written") Written w) {
        PartialTime byHand = PartialTime.parseWritten(w.text().trim());
        assertTrue(byHand != null, "read by hand: " + w.text());
        assertEquals(PartialTime.parseByPattern(w.text()), byHand, w.text());
    }

    @Property(tries = 2000)
    void theMaskSaysWhichPartsWereGiven(@ForAll("written") Written w) {
        String mask = PartialTime.parse(w.text()).mask();
        int p = w.precision();
        String expected = "1111-" + (p >= 1 ? "11" : "00") + "-" + (p >= 2 ? "11" : "00") + "T" + (p >= 3 ? "11:11" : "00:00") + ":"
                + (p >= 4 ? "11" : "00") + "." + "1".repeat(Math.max(0, p - 4)) + "0".repeat(6 - Math.max(0, p - 4)) + "±1111";
        assertEquals(expected, mask, w.text());
    }

    @Property(tries = 1000)
    void renderedTimesParseBackToTheSameInstant(@ForAll("written") Written w) {
        OffsetDateTime t = PartialTime.parse(w.text()).resolve(CHINA);
        String rendered = PartialTime.render(t);
        assertTrue(rendered.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}[+-]\\d{4}"), rendered);
        assertEquals(t.toInstant(), PartialTime.parse(rendered).resolve(ZoneOffset.UTC).toInstant());
    }

    @Property(tries = 3000)
    void anythingElseIsRefusedWithAReasonNeverAnotherError(@ForAll String junk) {
        try {
            PartialTime.parse(junk);
        } catch (IllegalArgumentException expected) {
            assertTrue(!expected.getMessage().isEmpty());
        }
    }

    @Example
    void theOriginalClientsExamples() {
        assertEquals("1986-01-01T00:00:00.000000+0800", PartialTime.render(PartialTime.parse("1986").resolve(CHINA)));
        assertEquals("1111-00-00T00:00:00.000000±1111", PartialTime.parse("1986").mask());
        assertEquals("1970-01-01T00:00:00.000000+0800", PartialTime.render(PartialTime.parse("1970-01").resolve(CHINA)));
        assertEquals("2021-04-01T10:11:00.123456+0800", PartialTime.render(PartialTime.parse("2021-04-01 10:11:00.123456").resolve(CHINA)));
        assertEquals("1111-11-11T11:11:11.111111±1111", PartialTime.parse("2021-04-01 10:11:00.123456").mask());
        assertEquals("2021-04-01T02:11:00.000000+0000", PartialTime.render(PartialTime.parse("2021-04-01T02:11:00Z").resolve(CHINA)));
        assertEquals(OffsetDateTime.parse("2021-04-01T10:11:00-05:00"), PartialTime.parse("2021-04-01T10:11:00-0500").resolve(CHINA));
    }

    @Example
    void impossibleDatesAndStrayOffsetsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2021-02-29"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2020-13"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2020-01-01 24:00"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2020-01-01+08:00"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("0000"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2020-01-01 10:11:00.1234567"));
        assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("20200101"));
        assertEquals(PartialTime.parse("2020-02-29").day(), 29);
    }

    /**
     * The hand reading of the common forms and the pattern's reading agree on every text: the same time and mask, or the
     * same refusal (texts built from the grammar's pieces, edges included, with a piece changed now and then).
     */
    @Property(tries = 20000)
    void theHandReadingIsThePatternsReading(@ForAll("texts") String text) {
        assertEquals(reading(PartialTime::parseByPattern, text), reading(PartialTime::parse, text), text);
    }

    /** What {@code parser} makes of {@code text}: the time, or its refusal's message. */
    private static String reading(java.util.function.Function<String, PartialTime> parser, String text) {
        try {
            return String.valueOf(parser.apply(text));
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> year = Arbitraries.of("2024", "0000", "0001", "9999", "1986", "2000", "1900", "202", "20245", "２０２４");
        Arbitrary<String> two = Arbitraries.of("00", "01", "02", "09", "10", "12", "13", "23", "24", "28", "29", "30", "31", "32", "59", "60", "99", "1", "1a");
        // The separators a valid text has, most of the time, so that the hand reading's accepting path is reached often.
        Arbitrary<String> sep = Arbitraries.frequency(net.jqwik.api.Tuple.of(12, "-"), net.jqwik.api.Tuple.of(6, "T"),
                net.jqwik.api.Tuple.of(6, " "), net.jqwik.api.Tuple.of(10, ":"), net.jqwik.api.Tuple.of(1, "."), net.jqwik.api.Tuple.of(1, ""),
                net.jqwik.api.Tuple.of(1, "+"), net.jqwik.api.Tuple.of(1, "Z"), net.jqwik.api.Tuple.of(1, "t"));
        Arbitrary<String> fraction = Arbitraries.strings().withChars("0123456789").ofMinLength(0).ofMaxLength(8);
        Arbitrary<String> offset = Arbitraries.of("", "", "Z", "+08:00", "+0800", "-05:30", "-0530", "+18:00", "-18:00", "+18:01", "+05:60",
                "+00:00", "-00:00", "+8", "+08", "+08:0", "+080", "Zz", "z", "+24:00", "-1200", " ");
        List<Arbitrary<String>> pieces = List.of(year, sep, two, sep, two, sep, two, sep, two, sep, two, fraction, offset,
                Arbitraries.integers().between(0, 7).map(String::valueOf), Arbitraries.of("", " ", "\t"));
        return Combinators.combine(pieces)
                .as(parts -> {
                    int keep = Integer.parseInt(parts.get(13));
                    StringBuilder t = new StringBuilder(parts.get(14)).append(parts.get(0));
                    for (int i = 0; i < Math.min(keep, 5); i++) t.append(parts.get(1 + 2 * i)).append(parts.get(2 + 2 * i));
                    if (keep >= 6) t.append('.').append(parts.get(11));
                    return t.append(parts.get(12)).append(parts.get(14)).toString();
                });
    }

    @Example
    void theHandReadingKeepsTheCommonFormsExactly() {
        for (String text : List.of("2024", "2024-03", "2024-03-01", "2024-03-01 08:00", "2024-03-01T08:00:05", "2024-03-01T08:00:05.1",
                "2024-03-01T08:00:05.123456", "2024-03-01T08:00:05.123456+08:00", "2024-03-01 08:00Z", "2024-03-01 08:00-0530", " 2024-02-29 ",
                "2023-02-29", "2024-03-01+08:00", "2024-03-01 24:00", "0000", "2024-03-01T08:00:05.1234567", "2024-03-01 08:00+18:30")) {
            assertEquals(reading(PartialTime::parseByPattern, text), reading(PartialTime::parse, text), text);
        }
        for (String written : List.of("2024", "2024-03-01 08:00", "2024-03-01T08:00:05.123456+08:00", "2024-03-01 08:00-0530")) {
            assertEquals(PartialTime.parseByPattern(written), PartialTime.parseWritten(written), "read by hand: " + written);
        }
    }

    /** A refused time says which of its parts is wrong in its own words, not the JDK's field names ("MonthOfYear"). */
    @Example
    void aRefusedTimeNamesItsPartPlainly() {
        assertEquals("is not a valid time: month 13 is out of range (1 - 12)",
                assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2021-13-01")).getMessage());
        assertEquals("is not a valid time: hour 25 is out of range (0 - 23)",
                assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2021-01-01 25:00:00")).getMessage());
        assertEquals("is not a valid time: February 30 does not exist",
                assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2021-02-30")).getMessage());
        assertEquals("is not a valid time: February 29 does not exist in 2023",
                assertThrows(IllegalArgumentException.class, () -> PartialTime.parse("2023-02-29")).getMessage());
    }
}
