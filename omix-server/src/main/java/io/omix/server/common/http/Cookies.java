package io.omix.server.common.http;

import io.javalin.http.Context;
import io.omix.server.common.auth.Secrets;

/**
 * The cookies of the login, consent and console pages: HttpOnly always, Secure whenever the visitor came over HTTPS:
 * the connection's scheme, a balancer's {@code X-Forwarded-Proto}, or an https {@code server.public-url} (a TLS proxy
 * that sends no such header must not get the session cookie sent back over plain HTTP). Over HTTPS each is named with
 * the browser's {@code __Host-} prefix and kept for the whole site ({@code Path=/}, no {@code Domain}), and only the
 * prefixed names are read: a browser keeps such a cookie only when this very host set it over HTTPS, so neither a
 * sibling domain nor a plain-HTTP page can plant a session or a form token in its place ({@code __Secure-} would not
 * do: it lets a sibling set the cookie for the whole parent domain).
 */
public final class Cookies {
    private static final String SECURE = "omix.cookies_secure";

    private Cookies() {}

    /** Marks every request's cookies Secure when the server's public URL is https. */
    public static void install(io.javalin.config.RoutesConfig routes, String publicUrl) {
        if (!publicUrl.regionMatches(true, 0, "https://", 0, 8)) return;
        routes.before(ctx -> ctx.attribute(SECURE, Boolean.TRUE));
    }

    /**
     * The double-submit token of a form shown before anyone signed in: kept in a strict cookie of
     * {@code path} and repeated in the form's hidden {@code csrf} field (made when missing).
     */
    public static String formToken(Context ctx, String cookie, String path) {
        String token = get(ctx, cookie);
        if (token == null || token.length() > 100) {
            token = Secrets.token("");
            set(ctx, cookie, token, "Strict", path, 3600);
        }
        return token;
    }

    /** True when the form's {@code csrf} field repeats the cookie (constant time). */
    public static boolean formTokenMatches(Context ctx, String cookie) {
        String token = get(ctx, cookie);
        return token != null && Secrets.constantTimeEquals(token, FormBody.field(ctx, "csrf"));
    }

    /** @param path where the cookie is sent over plain HTTP; over HTTPS every cookie is the whole site's ({@code __Host-}) */
    public static void set(Context ctx, String name, String value, String sameSite, String path, int maxAgeSeconds) {
        boolean https = https(ctx);
        ctx.res().addHeader("Set-Cookie", named(https, name) + "=" + value + "; Path=" + (https ? "/" : path) + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=" + sameSite + (https ? "; Secure" : ""));
    }

    /** The value of the cookie {@link #set} under {@code name}, as this request's scheme names it. */
    public static String get(Context ctx, String name) {
        return ctx.cookie(named(https(ctx), name));
    }

    private static boolean https(Context ctx) {
        return ctx.attribute(SECURE) != null || "https".equalsIgnoreCase(ctx.scheme())
                || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    private static String named(boolean https, String name) {
        return https ? "__Host-" + name : name;
    }
}
