package io.omix.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import io.javalin.http.Context;
import io.omix.server.common.http.Cookies;
import io.omix.server.common.http.ServerJson;
import io.omix.server.users.User;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Renders console pages: Mustache templates (HTML-escaped by default) inside one layout, with the
 * messages of the visitor's language (Chinese or English: {@code ?lang=}, then a cookie, then
 * Accept-Language), the security headers and the cookies every page shares.
 */
final class ConsoleViews {
    static final List<String> LANGUAGES = List.of("zh", "en");
    private static final String LANG_COOKIE = "omix_lang";
    private static final String LOGIN_CSRF_COOKIE = "omix_login_csrf";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final MustacheFactory mustache = new DefaultMustacheFactory("io/omix/server/console/templates");
    private final Map<String, Map<String, String>> messages = new LinkedHashMap<>();

    ConsoleViews() {
        for (String lang : LANGUAGES) messages.put(lang, load("io/omix/server/console/messages_" + lang + ".properties"));
    }

    private static Map<String, String> load(String resource) {
        Properties p = new Properties();
        try (InputStream in = ConsoleViews.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing " + resource);
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    Map<String, String> messages(String lang) {
        return messages.get(lang);
    }

    String message(String lang, String key) {
        return messages.get(lang).getOrDefault(key, key);
    }

    /** The language asked for ({@code ?lang=}, remembered in a cookie), else the remembered one, else the browser's. */
    String language(Context ctx) {
        String asked = ctx.queryParam("lang");
        if (asked != null && LANGUAGES.contains(asked)) {
            Cookies.set(ctx, LANG_COOKIE, asked, "Lax", "/", 365 * 24 * 3600);
            return asked;
        }
        String remembered = Cookies.get(ctx, LANG_COOKIE);
        if (remembered != null && LANGUAGES.contains(remembered)) return remembered;
        String accept = ctx.header("Accept-Language");
        return accept != null && accept.trim().toLowerCase(java.util.Locale.ROOT).startsWith("zh") ? "zh" : "en";
    }

    /** Renders {@code template} into the layout. {@code user} is null on the login page. */
    String render(String lang, String template, Map<String, Object> page, User user, String csrf, ConsoleCapability.Page current,
                  List<Map<String, Object>> nav) {
        Map<String, String> t = messages.get(lang);
        Map<String, Object> scope = new LinkedHashMap<>(page);
        scope.put("t", t);
        scope.put("lang", lang);
        scope.put("csrf", csrf != null ? csrf : page.get("csrf"));
        scope.put("content", render(template, scope));
        scope.put("title", t.getOrDefault(current.title(), current.title()));
        scope.put("user", user == null ? null : Map.of("username", user.username(), "operator", user.operator()));
        scope.put("page", template);
        scope.put("nav", nav.stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>(n);
            m.put("label", t.getOrDefault((String) n.get("key"), (String) n.get("key")));
            return m;
        }).toList());
        scope.put("otherLanguages", LANGUAGES.stream().filter(l -> !l.equals(lang))
                .map(l -> Map.of("code", l, "label", messages.get(l).get("lang_name"))).toList());
        scope.put("messagesJson", scriptJson(t));
        return render("layout", scope);
    }

    private String render(String template, Map<String, Object> scope) {
        Mustache m = mustache.compile(template + ".mustache");
        StringWriter out = new StringWriter();
        m.execute(out, scope);
        return out.toString();
    }

    /** JSON that is safe inside a script element: no {@code </script>} can close it early. */
    static String scriptJson(Object value) {
        try {
            return ServerJson.MAPPER.writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void send(Context ctx, int status, String lang, String html) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("Content-Language", lang);
        ctx.status(status).contentType("text/html; charset=utf-8").result(html);
    }

    /** The double-submit token of the login form (there is no session yet to bind it to). */
    String loginCsrf(Context ctx) {
        return Cookies.formToken(ctx, LOGIN_CSRF_COOKIE, "/console");
    }

    boolean loginCsrfMatches(Context ctx) {
        return Cookies.formTokenMatches(ctx, LOGIN_CSRF_COOKIE);
    }

}
