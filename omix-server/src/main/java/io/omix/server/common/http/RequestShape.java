package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What every request is checked for before any route reads it: the parts of a request that the framework would
 * otherwise read its own way, where a bad value failed the request (500) or was dropped without a word.
 * <ul>
 *   <li>A {@code charset} parameter in {@code Content-Type} must name UTF-8 (or US-ASCII, a part of it): bodies are read
 *   as UTF-8, an unknown charset made every query parameter disappear, and a {@code charset} without a value failed.</li>
 *   <li>{@code X-HTTP-Method-Override} is refused: a request is served by the method it was sent with, and the header
 *   could name the framework's own hooks as the method.</li>
 * </ul>
 */
public final class RequestShape {
    static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";

    private RequestShape() {}

    public static void install(RoutesConfig routes) {
        routes.before(RequestShape::check);
    }

    static void check(Context ctx) {
        if (ctx.req().getHeader(METHOD_OVERRIDE) != null) {
            throw ApiException.invalidParam(METHOD_OVERRIDE, "is not supported: send the request with its own method");
        }
        String type = ctx.req().getHeader("Content-Type");
        if (type != null && !charsetIsUtf8(type)) {
            throw ApiException.invalidParam("Content-Type", "its charset must be utf-8");
        }
    }

    /**
     * True when {@code contentType} names no charset, or UTF-8 (US-ASCII) the way the framework reads it: every
     * parameter starting with {@code charset}, its value what follows the {@code =} as it is (no quotes, no spaces).
     */
    static boolean charsetIsUtf8(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            if (!part.toLowerCase(Locale.ROOT).startsWith("charset")) continue;
            String[] nameAndValue = part.split("=");
            if (nameAndValue.length != 2 || !nameAndValue[0].equalsIgnoreCase("charset")) return false;
            Charset named;
            try {
                named = Charset.forName(nameAndValue[1]);
            } catch (IllegalArgumentException notACharset) {
                return false;
            }
            if (!named.equals(StandardCharsets.UTF_8) && !named.equals(StandardCharsets.US_ASCII)) return false;
        }
        return true;
    }

    /** The HTTP methods the platform serves; metrics and the access log name any other as {@code other}. */
    static String methodLabel(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> method;
            default -> "other";
        };
    }
}
