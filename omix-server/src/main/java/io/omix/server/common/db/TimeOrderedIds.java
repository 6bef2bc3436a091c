package io.omix.server.common.db;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDs in the version 7 layout (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
 * created one after another sort one after another, so an index on them grows at its right edge
 * instead of touching a random page per insert: much less to write per commit.
 */
public final class TimeOrderedIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {}

    public static UUID next() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
