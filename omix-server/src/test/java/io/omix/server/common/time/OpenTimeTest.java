package io.omix.server.common.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The open platform's times written by hand must be the pattern's own, character for character, in every zone. */
class OpenTimeTest {
    @Test
    void writesWhatThePatternWritesForEveryOffsetAndEdge() {
        long[] seconds = {0, -1, 1, 86_399, 86_400, 951_782_400L /* 2000-02-29 */, -30_610_224_000L /* year 1000 */, -30_610_224_001L,
                253_402_300_799L, 253_402_300_800L /* year 10000 */, -62_135_596_800L /* year 1 */, -62_135_596_801L /* year 0 */};
        ZoneOffset[] offsets = {ZoneOffset.UTC, ZoneOffset.ofHours(8), ZoneOffset.ofHours(-8), ZoneOffset.ofHoursMinutes(5, 30),
                ZoneOffset.ofHoursMinutes(-9, -30), ZoneOffset.ofHours(14), ZoneOffset.ofHours(-18), ZoneOffset.ofHours(18),
                ZoneOffset.ofHoursMinutesSeconds(0, 0, 45), ZoneOffset.ofHoursMinutesSeconds(-1, -2, -3)};
        for (long s : seconds) {
            for (ZoneOffset z : offsets) {
                for (int nanos : new int[] {0, 999_999_999, 123_456_000, 1_000, 999}) {
                    OffsetDateTime t = OffsetDateTime.ofInstant(Instant.ofEpochSecond(s, nanos), z);
                    assertEquals(OpenTime.PATTERN.format(t), OpenTime.format(t), t.toString());
                    assertEquals(OpenTime.MICROS_PATTERN.format(t), OpenTime.formatMicros(t), t.toString());
                }
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            ZoneOffset z = ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 3600, 18 * 3600 + 1) / (i % 10 == 0 ? 1 : 900) * (i % 10 == 0 ? 1 : 900));
            OffsetDateTime t = OffsetDateTime.ofInstant(Instant.ofEpochSecond(random.nextLong(-40_000_000_000L, 260_000_000_000L),
                    random.nextInt(1_000_000_000)), z);
            assertEquals(OpenTime.PATTERN.format(t), OpenTime.format(t), t.toString());
            assertEquals(OpenTime.MICROS_PATTERN.format(t), OpenTime.formatMicros(t), t.toString());
        }
    }
}
