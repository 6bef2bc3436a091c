package io.omix.server.console;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.http.Routes;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.PasswordSignIn;
import io.omix.server.users.User;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The web console under {@code /console}: pages rendered here (layout, navigation, forms, both
 * languages) whose data comes from the public API, called by the page's script with the browser
 * session (see {@link ConsoleSessions}); so the console has no rules of its own. Operator pages are
 * refused to plain users here, and their data endpoints refuse them again.
 */
public final class ConsoleCapability implements Capability {
    static final String LOGIN = "/console/login";
    private static final Pattern BIOSAMPLE = Pattern.compile("E-[A-Z][0-9]{11}");
    /** Static files the pages load: ours, and uPlot's from its WebJar. */
    private static final Map<String, String[]> ASSETS = Map.of(
            "console.css", new String[]{"io/omix/server/console/assets/console.css", "text/css; charset=utf-8"},
            "console.js", new String[]{"io/omix/server/console/assets/console.js", "text/javascript; charset=utf-8"},
            "uPlot.min.css", new String[]{"META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css", "text/css; charset=utf-8"},
            "uPlot.iife.min.js", new String[]{"META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"});

    /** A page of the console: its path, template, title key and whether only operators may open it. */
    record Page(String path, String template, String title, boolean operator) {}

    static final List<Page> USER_PAGES = List.of(
            new Page("/console/samples", "samples", "nav_samples", false),
            new Page("/console/streams", "streams", "nav_streams", false),
            new Page("/console/files", "files", "nav_files", false),
            new Page("/console/apps", "connected-apps", "nav_connected", false),
            new Page("/console/usage", "usage", "nav_usage", false));
    static final List<Page> OPERATOR_PAGES = List.of(
            new Page("/console/admin/apps", "admin-apps", "nav_apps", true),
            new Page("/console/admin/users", "admin-users", "nav_users", true),
            new Page("/console/admin/samples", "admin-samples", "nav_binding", true),
            new Page("/console/admin/imports", "admin-imports", "nav_imports", true),
            new Page("/console/admin/tasks", "admin-tasks", "nav_tasks", true),
            new Page("/console/admin/datasets", "admin-datasets", "nav_datasets", true),
            new Page("/console/admin/audit", "admin-audit", "nav_audit", true));

    private final Platform platform;
    private final ConsoleSessions sessions;
    private final PasswordSignIn signIn;
    private final StreamStore streams;
    private final ConsoleViews views = new ConsoleViews();

    public ConsoleCapability(Platform platform) {
        this.platform = platform;
        this.sessions = new ConsoleSessions(platform);
        this.signIn = new PasswordSignIn(platform);
        this.streams = new StreamStore(platform);
        platform.authenticators().registerSession(sessions::authenticate);
    }

    @Override
    public void routes(Routes routes) {
        routes.plain(HandlerType.GET, "/console", ctx -> ctx.redirect("/console/samples"));
        routes.plain(HandlerType.GET, LOGIN, ctx -> loginPage(ctx, 200, null));
        routes.plain(HandlerType.POST, LOGIN, this::login);
        routes.plain(HandlerType.POST, "/console/logout", this::logout);
        routes.plain(HandlerType.GET, "/console/assets/{name}", this::asset);
        for (Page page : USER_PAGES) routes.plain(HandlerType.GET, page.path(), ctx -> page(ctx, page, Map.of()));
        for (Page page : OPERATOR_PAGES) routes.plain(HandlerType.GET, page.path(), ctx -> page(ctx, page, Map.of()));
        routes.plain(HandlerType.GET, "/console/samples/{biosample_id}", ctx -> {
            String id = ctx.pathParam("biosample_id");
            if (!BIOSAMPLE.matcher(id).matches()) {
                ctx.status(404).result("");
                return;
            }
            page(ctx, new Page("/console/samples", "sample", "nav_samples", false), Map.of("biosample_id", id));
        });
    }

    private void page(Context ctx, Page page, Map<String, Object> extra) {
        Optional<ConsoleSessions.Session> session = sessions.of(ctx);
        String lang = views.language(ctx);
        if (session.isEmpty()) {
            ctx.redirect(LOGIN + "?next=" + java.net.URLEncoder.encode(ctx.path(), java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        User user = session.get().user();
        if (page.operator() && !user.operator()) {
            views.send(ctx, 403, lang, views.render(lang, "forbidden", Map.of(), user, session.get().csrf(), page, navigation(user, page)));
            return;
        }
        Map<String, Object> scope = new LinkedHashMap<>(extra);
        if (page.template().equals("streams")) {
            scope.put("elements", streams.elements().stream().map(e -> Map.of("id", e.id(), "name", e.name())).toList());
        }
        views.send(ctx, 200, lang, views.render(lang, page.template(), scope, user, session.get().csrf(), page, navigation(user, page)));
    }

    private static List<Map<String, Object>> navigation(User user, Page current) {
        List<Map<String, Object>> nav = new java.util.ArrayList<>();
        for (Page p : USER_PAGES) nav.add(navItem(p, current));
        if (user.operator()) for (Page p : OPERATOR_PAGES) nav.add(navItem(p, current));
        return nav;
    }

    private static Map<String, Object> navItem(Page p, Page current) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("href", p.path());
        m.put("key", p.title());
        m.put("current", p.path().equals(current.path()));
        m.put("operator", p.operator());
        return m;
    }

    private void loginPage(Context ctx, int status, String errorKey) {
        String lang = views.language(ctx);
        String csrf = views.loginCsrf(ctx);
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("csrf", csrf);
        scope.put("next", safeNext(ctx.queryParam("next") != null ? ctx.queryParam("next") : io.omix.server.common.http.FormBody.field(ctx, "next")));
        if (errorKey != null) scope.put("error", views.message(lang, errorKey));
        views.send(ctx, status, lang, views.render(lang, "login", scope, null, null, new Page(LOGIN, "login", "login_title", false), List.of()));
    }

    /** Signs in with the same users, throttle and session as the consent page. */
    private void login(Context ctx) {
        if (!views.loginCsrfMatches(ctx)) {
            loginPage(ctx, 403, "login_expired");
            return;
        }
        String username = io.omix.server.common.http.FormBody.field(ctx, "username");
        String password = io.omix.server.common.http.FormBody.field(ctx, "password");
        if (username == null || password == null || username.length() > 64 || password.length() > 72) {
            loginPage(ctx, 400, "login_wrong");
            return;
        }
        PasswordSignIn.Outcome outcome = signIn.attempt(username, password, io.omix.server.common.http.ClientAddress.of(ctx));
        if (outcome instanceof PasswordSignIn.Outcome.Locked) {
            loginPage(ctx, 429, "login_locked");
            return;
        }
        if (!(outcome instanceof PasswordSignIn.Outcome.SignedIn in)) {
            loginPage(ctx, 401, "login_wrong");
            return;
        }
        String old = PasswordSignIn.sessionOf(ctx);
        if (old != null) sessions.end(old);
        PasswordSignIn.cookie(ctx, in.sessionId(), false);
        ctx.redirect(safeNext(io.omix.server.common.http.FormBody.field(ctx, "next")), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        Optional<ConsoleSessions.Session> session = sessions.of(ctx);
        if (session.isPresent() && sessions.csrfMatches(session.get(), io.omix.server.common.http.FormBody.field(ctx, "csrf"))) {
            sessions.end(session.get().sessionId());
            PasswordSignIn.cookie(ctx, "", true);
        }
        ctx.redirect(LOGIN, io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /**
     * Only our own console pages: never an open redirect, and never another path of the server reached through dot
     * segments ({@code /console/../oauth2/authorize}, which the browser resolves), written plainly or escaped.
     */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/console/") || next.startsWith("//") || next.contains("\\") || next.length() > 200
                || next.startsWith(LOGIN) || !PLAIN_PATH.matcher(next).matches() || hasDotSegment(next)) {
            return "/console/samples";
        }
        return next;
    }

    /**
     * The characters a console page's path and query are written with: nothing a browser drops before it resolves a URL
     * (a tab or line break inside {@code .\t.} makes a dot segment of it), nothing else.
     */
    private static final java.util.regex.Pattern PLAIN_PATH = java.util.regex.Pattern.compile("[A-Za-z0-9/._~%?=&+-]*");

    private static boolean hasDotSegment(String next) {
        int end = next.indexOf('?') < 0 ? next.length() : next.indexOf('?');
        String path = next.substring(0, end).toLowerCase(java.util.Locale.ROOT).replace("%2e", ".");
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) return true;
        }
        return path.contains("%2f") || path.contains("%5c");
    }

    private void asset(Context ctx) throws IOException {
        String[] asset = ASSETS.get(ctx.pathParam("name"));
        InputStream in = asset == null ? null : ConsoleCapability.class.getClassLoader().getResourceAsStream(asset[0]);
        if (in == null) {
            ctx.status(404).result("");
            return;
        }
        try (in) {
            ctx.header("Cache-Control", "public, max-age=300");
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.contentType(asset[1]).result(in.readAllBytes());
        }
    }
}
