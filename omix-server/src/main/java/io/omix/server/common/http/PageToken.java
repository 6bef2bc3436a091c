package io.omix.server.common.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * Opaque {@code next_page} tokens for keyset paging: the position after the page's last row, as
 * base64url of versioned parts. A token this server did not hand out is 41001 on {@code next_page}.
 */
public final class PageToken {
    private static final String VERSION = "v1";
    private static final String SEPARATOR = "\n"; // ids may contain ':' (GO:0005975), never a line break

    private PageToken() {}

    public static String encode(Object... parts) {
        StringBuilder raw = new StringBuilder(VERSION);
        for (Object part : parts) raw.append(SEPARATOR).append(part);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean noControlCharacters(String[] parts) {
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                if (Character.isISOControl(part.charAt(i))) return false;
            }
        }
        return true;
    }

    /**
     * The instant of a token's seconds and nanoseconds, within the years 1 to 9999 that every time the platform stores
     * is (PostgreSQL refuses times much beyond them); anything else throws, so that the token is refused.
     */
    public static java.time.OffsetDateTime instant(String seconds, String nanos) {
        return bounded(java.time.Instant.ofEpochSecond(Long.parseLong(seconds), Long.parseLong(nanos)));
    }

    /** {@code t} at UTC, when its year is 1 to 9999; else throws, so that the token naming it is refused. */
    public static java.time.OffsetDateTime bounded(java.time.Instant t) {
        java.time.OffsetDateTime utc = t.atOffset(java.time.ZoneOffset.UTC);
        if (utc.getYear() < 1 || utc.getYear() > 9999) throw new IllegalArgumentException("a time outside the years 1 to 9999");
        return utc;
    }

    /** As {@link #decode}, but null (nothing refused) when the token is well formed and has another number of parts. */
    public static <T> T decodeIfParts(String token, int count, Function<String[], T> read) {
        if (token == null) return null;
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(SEPARATOR, -1);
        } catch (RuntimeException malformed) {
            throw ApiException.invalidParam("next_page", "is not a next_page this server handed out");
        }
        return parts.length == count + 1 ? decode(token, count, read) : null;
    }

    /**
     * The position a token names, read by {@code read} from its {@code count} parts; null for no token.
     * Anything malformed, including what {@code read} cannot parse, is refused.
     */
    public static <T> T decode(String token, int count, Function<String[], T> read) {
        if (token == null) return null;
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(SEPARATOR, -1);
            // The parts handed out hold no control characters: one (a NUL) would reach the database as it is.
            if (parts.length == count + 1 && parts[0].equals(VERSION) && noControlCharacters(parts)) {
                return read.apply(java.util.Arrays.copyOfRange(parts, 1, parts.length));
            }
        } catch (RuntimeException malformed) {
            // answered below
        }
        throw ApiException.invalidParam("next_page", "is not a next_page this server handed out");
    }
}
