package io.omix.server.common.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The audit trail's times are hashed as text: the hand-written form must be Instant's own, character for character. */
class IsoInstantTest {
    @Test
    void writesWhatInstantWritesForEveryPrecisionAndEdge() {
        long[] seconds = {0, -1, 1, 86_399, 86_400, -86_400, 951_782_400L /* 2000-02-29 */, 4_107_542_400L /* 2100-03-01 */,
                -30_610_224_000L, -30_610_224_001L, 253_402_300_799L, 253_402_300_800L, -62_135_596_800L /* year 1 */,
                Instant.MAX.getEpochSecond(), Instant.MIN.getEpochSecond()};
        int[] nanos = {0, 1, 999_999_999, 1_000, 999_000, 1_000_000, 123_000_000, 123_456_000, 123_456_789, 100_000_000, 10};
        for (long s : seconds) {
            for (int n : nanos) {
                Instant t = Instant.ofEpochSecond(s, n);
                assertEquals(t.toString(), IsoInstant.format(t), "at " + s + "s " + n + "ns");
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long s = random.nextLong(-40_000_000_000L, 260_000_000_000L);
            int n = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(s, n);
            assertEquals(t.toString(), IsoInstant.format(t));
        }
    }
}
