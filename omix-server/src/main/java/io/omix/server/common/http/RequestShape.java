package io.omix.server.common.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.Charset;
import java.util.Locale;

/**
 * What every request is checked for before any route reads it: the parts of a request that the framework would
 * otherwise read its own way, where a bad value failed the request (500) or was dropped without a word.
 * <ul>
 *   <li>A {@code charset} parameter in {@code Content-Type} must name a charset this server knows: the framework decodes
 *   query strings and forms with it, so that an unknown one made every query parameter disappear, and a {@code charset}
 *   without a value failed the request.</li>
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
        if (type != null && !charsetIsKnown(type)) {
            throw ApiException.invalidParam("Content-Type", "its charset is not one this server knows (send utf-8)");
        }
    }

    /**
     * True when {@code contentType} names no charset, or one this server knows, read the way the framework reads it: every
     * parameter starting with {@code charset}, its value what follows the {@code =}, without surrounding quotes.
     */
    static boolean charsetIsKnown(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            if (!part.toLowerCase(Locale.ROOT).startsWith("charset")) continue;
            String[] nameAndValue = part.split("=");
            if (nameAndValue.length != 2 || !nameAndValue[0].equalsIgnoreCase("charset")) return false;
            String value = nameAndValue[1];
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) value = value.substring(1, value.length() - 1);
            try {
                if (!Charset.isSupported(value)) return false;
            } catch (IllegalArgumentException notACharsetName) {
                return false;
            }
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
