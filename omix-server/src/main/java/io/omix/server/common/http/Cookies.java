package io.omix.server.common.http;

import io.javalin.http.Context;

/** The cookies of the login, consent and console pages: HttpOnly always, Secure whenever the visitor came over HTTPS. */
public final class Cookies {
    private Cookies() {}

    public static void set(Context ctx, String name, String value, String sameSite, String path, int maxAgeSeconds) {
        boolean https = "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=" + sameSite + (https ? "; Secure" : ""));
    }
}
