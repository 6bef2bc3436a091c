package io.omix.server.common.http;

import java.util.Optional;

/**
 * Percent-escapes of a raw query string, checked: a malformed one ({@code %zz}, a lone {@code %})
 * is the client's error, named, not a parameter silently dropped or a failure deep in a parser.
 */
public final class QueryEscapes {
    private QueryEscapes() {}

    /** The name (as sent) of the first parameter whose name or value holds a malformed escape. */
    public static Optional<String> firstMalformed(String rawQuery) {
        if (rawQuery == null || rawQuery.indexOf('%') < 0) return Optional.empty();
        for (String part : rawQuery.split("&")) {
            if (!wellFormed(part)) {
                int eq = part.indexOf('=');
                String name = eq < 0 ? part : part.substring(0, eq);
                return Optional.of(wellFormed(name) && !name.isEmpty() ? java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8)
                        : "query");
            }
        }
        return Optional.empty();
    }

    /** Throws 41001 naming the parameter when {@link #firstMalformed} finds one. */
    public static void check(String rawQuery) {
        firstMalformed(rawQuery).ifPresent(name -> {
            throw ApiException.invalidParam(name.length() > 100 ? name.substring(0, 100) : name, "malformed percent-escape in the query string");
        });
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '%') continue;
            if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) return false;
            i += 2;
        }
        return true;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
