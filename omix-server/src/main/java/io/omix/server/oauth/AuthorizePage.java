package io.omix.server.oauth;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.omix.server.Platform;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.Cookies;
import io.omix.server.common.http.Routes;
import io.omix.server.users.PasswordSignIn;
import io.omix.server.users.SessionStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET /oauth2/authorize}: the login and consent page, plain HTML forms, no JavaScript.
 * {@code POST /oauth2/authorize}: the form's answer, which redirects back with a code.
 *
 * <p>A wrong client or an unregistered redirect URI gets an error page and never a redirect (the URI
 * is not trusted). Every other problem is reported to the client by redirect, as RFC 6749 4.1.2.1 says.
 * The form is protected by a CSRF token in a hidden field: for a signed-in person, an HMAC of their session (a value
 * planted in a cookie, from a sibling host say, cannot forge it); before sign-in, a double-submit cookie.
 */
final class AuthorizePage {
    static final String CSRF_COOKIE = "omix_csrf";
    private static final int MAX_STATE = 500;

    private final ClientStore clients;
    private final CodeStore codes;
    private final UserStore users;
    private final SessionStore sessions;
    private final PasswordSignIn signIn;

    private final ConsentStore consents;

    private final io.omix.server.ServerConfig config;
    private final byte[] csrfKey;

    AuthorizePage(Platform platform, ClientStore clients, CodeStore codes) {
        this.config = platform.config();
        this.csrfKey = platform.masterKey().derive("consent-csrf");
        this.consents = new ConsentStore(platform);
        this.clients = clients;
        this.codes = codes;
        this.users = new UserStore(platform);
        this.sessions = new SessionStore(platform);
        this.signIn = new PasswordSignIn(platform);
    }

    void routes(Routes routes) {
        routes.plain(HandlerType.GET, "/oauth2/authorize", ctx -> handle(ctx, ctx::queryParam, false));
        routes.plain(HandlerType.POST, "/oauth2/authorize", ctx -> handle(ctx, name -> io.omix.server.common.http.FormBody.field(ctx, name), true));
    }

    /** A checked authorization request. */
    private record Valid(OAuthClient client, String redirectUri, String scope, String state, String challenge, String aud) {}

    private void handle(Context ctx, Function<String, String> param, boolean submitted) {
        secureHeaders(ctx);
        OAuthClient client = clients.find(param.apply("client_id")).filter(c -> !c.disabled()).orElse(null);
        if (client == null) {
            errorPage(ctx, "未知的应用 / Unknown application (client_id).");
            return;
        }
        String redirectUri = param.apply("redirect_uri");
        if (!client.registered(redirectUri)) {
            errorPage(ctx, "redirect_uri 未注册 / The redirect_uri is not registered for this application.");
            return;
        }
        String state = param.apply("state");
        if (state != null && state.length() > MAX_STATE) state = state.substring(0, MAX_STATE);
        if (!"code".equals(param.apply("response_type"))) {
            redirectError(ctx, redirectUri, "unsupported_response_type", "response_type must be code", state);
            return;
        }
        if (!client.allows(OAuthClient.AUTHORIZATION_CODE)) {
            redirectError(ctx, redirectUri, "unauthorized_client", "this client may not use the authorization code grant", state);
            return;
        }
        String scope;
        java.util.Set<String> smart = param.apply("scope") == null ? java.util.Set.of() : SmartScopes.smartOnly(TokenStore.scopes(param.apply("scope")));
        try {
            if (smart.isEmpty()) {
                scope = TokenEndpoint.narrowed(client.scopes(), param.apply("scope"));
            } else {
                // SMART scopes are checked through the platform scopes they grant, and kept in the grant as asked.
                String platform = String.join(" ", SmartScopes.platformView(TokenStore.scopes(param.apply("scope"))));
                scope = platform.isBlank() ? "" : (TokenEndpoint.narrowed(client.scopes(), platform) + " " + String.join(" ", smart)).trim();
            }
        } catch (RuntimeException e) {
            redirectError(ctx, redirectUri, "invalid_scope", "a requested scope is unknown or not allowed", state);
            return;
        }
        if (scope.isBlank()) {
            redirectError(ctx, redirectUri, "invalid_scope", "nothing to grant: the client is allowed no scope (admin must be asked for by name)", state);
            return;
        }
        // SMART's aud names the FHIR server the token is for: a token asked for another server's is not handed out here.
        String aud = param.apply("aud");
        if (aud == null && !smart.isEmpty()) {
            redirectError(ctx, redirectUri, "invalid_request", "SMART scopes need aud, this server's FHIR base", state);
            return;
        }
        if (aud != null) {
            String fhir = new io.omix.server.common.http.ApiRequest(ctx).baseUrl(config) + "/fhir";
            if (!aud.replaceAll("/+$", "").equals(fhir)) {
                redirectError(ctx, redirectUri, "invalid_request", "aud must be this server's FHIR base, " + fhir, state);
                return;
            }
        }
        String challenge = param.apply("code_challenge");
        String method = param.apply("code_challenge_method");
        if (challenge != null) {
            if (!"S256".equals(method) || !Pkce.FORMAT.matcher(challenge).matches()) {
                redirectError(ctx, redirectUri, "invalid_request", "code_challenge must be S256 with a 43-128 character challenge", state);
                return;
            }
        } else if (client.publicClient() || !smart.isEmpty()) {
            redirectError(ctx, redirectUri, "invalid_request", smart.isEmpty() ? "public clients must send a PKCE code_challenge (S256)"
                    : "SMART scopes need a PKCE code_challenge (S256)", state);
            return;
        }
        Valid request = new Valid(client, redirectUri, scope, state, challenge, aud);
        String session = PasswordSignIn.sessionOf(ctx);
        Optional<String> userId = sessions.userOf(session);
        if (!submitted) {
            // Allowed before, all of it: the person is not asked again; else only what is new is asked. A public client
            // is always asked (anyone can be it: a program listening on its loopback redirect would otherwise take a
            // code from any page that sends the browser here), and so is any request for admin or grants.
            java.util.Set<String> granted = userId.map(u -> consents.granted(u, client.clientId())).orElse(java.util.Set.of());
            java.util.Set<String> asked = TokenStore.scopes(scope);
            boolean askAgain = client.publicClient() || asked.contains(io.omix.server.common.auth.Scope.ADMIN.id())
                    || asked.contains(io.omix.server.common.auth.Scope.GRANTS.id());
            if (userId.isPresent() && granted.containsAll(asked) && !askAgain) {
                approve(ctx, request, userId.get(), session, true);
                return;
            }
            page(ctx, 200, request, userId.flatMap(users::findById), null, granted);
            return;
        }
        if (!csrfMatches(ctx, userId.isPresent())) {
            page(ctx, 403, request, userId.flatMap(users::findById), "页面已过期，请重试 / The form expired, please try again.");
            return;
        }
        if (userId.isEmpty()) {
            PasswordSignIn.Outcome outcome = signIn.attempt(io.omix.server.common.http.FormBody.field(ctx, "username"), io.omix.server.common.http.FormBody.field(ctx, "password"), io.omix.server.common.http.ClientAddress.of(ctx));
            if (outcome instanceof PasswordSignIn.Outcome.Locked) {
                page(ctx, 429, request, Optional.empty(), "尝试次数过多，请 15 分钟后再试 / Too many attempts: try again in 15 minutes.");
                return;
            }
            if (!(outcome instanceof PasswordSignIn.Outcome.SignedIn in)) {
                page(ctx, 401, request, Optional.empty(), "用户名或密码错误 / Wrong username or password.");
                return;
            }
            PasswordSignIn.cookie(ctx, in.sessionId(), false);
            userId = Optional.of(in.user().userId());
            session = in.sessionId();
        }
        if (!"approve".equals(io.omix.server.common.http.FormBody.field(ctx, "decision"))) {
            redirectError(ctx, redirectUri, "access_denied", "the user declined", state);
            return;
        }
        approve(ctx, request, userId.get(), session, false);
    }

    /** The form's CSRF token: bound to the session of a signed-in person (whose cookie names a live session), else double-submit. */
    private String csrf(Context ctx, boolean signedIn) {
        return signedIn ? Secrets.hmac(csrfKey, PasswordSignIn.sessionOf(ctx)) : Cookies.formToken(ctx, CSRF_COOKIE, "/oauth2");
    }

    private boolean csrfMatches(Context ctx, boolean signedIn) {
        if (!signedIn) return Cookies.formTokenMatches(ctx, CSRF_COOKIE);
        String presented = io.omix.server.common.http.FormBody.field(ctx, "csrf");
        return presented != null && Secrets.constantTimeEquals(csrf(ctx, true), presented);
    }

    /**
     * The person allows the request (or allowed all of it before: {@code alreadyAllowed}): remembered as their consent,
     * answered with a code, unless their session, user or client ended or the consent was revoked meanwhile.
     */
    private void approve(Context ctx, Valid request, String userId, String sessionId, boolean alreadyAllowed) {
        if (TokenStore.scopes(request.scope()).contains(io.omix.server.common.auth.Scope.ADMIN.id())
                && !users.findById(userId).map(io.omix.server.users.User::operator).orElse(false)) {
            redirectError(ctx, request.redirectUri(), "invalid_scope", "admin is granted to operators of the platform only", request.state());
            return;
        }
        Optional<String> code;
        try {
            code = codes.createApproved(request.client().clientId(), userId, Secrets.hash(sessionId), request.redirectUri(),
                    request.scope(), request.challenge(), alreadyAllowed);
        } catch (ConsentStore.TooManyScopes e) {
            redirectError(ctx, request.redirectUri(), "invalid_scope", e.getMessage(), request.state());
            return;
        }
        if (code.isEmpty()) {
            redirectError(ctx, request.redirectUri(), "access_denied", "the sign-in or the application's access ended meanwhile", request.state());
            return;
        }
        redirect(ctx, request.redirectUri(), Map.of("code", code.get()), request.state());
    }

    private static void secureHeaders(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    }

    private static void redirectError(Context ctx, String redirectUri, String error, String description, String state) {
        redirect(ctx, redirectUri, Map.of("error", error, "error_description", description), state);
    }

    private static void redirect(Context ctx, String redirectUri, Map<String, String> params, String state) {
        StringBuilder target = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?');
        params.forEach((k, v) -> target.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        if (state != null) target.append("state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8)).append('&');
        target.setLength(target.length() - 1);
        ctx.status(302).header("Location", target.toString()).result("");
    }

    private static void errorPage(Context ctx, String message) {
        ctx.status(400).contentType("text/html; charset=utf-8").result(layout("授权失败 / Authorization failed",
                "<h1>授权失败 <span>Authorization failed</span></h1><p class=\"error\" role=\"alert\">" + escape(message) + "</p>"));
    }

    private void page(Context ctx, int status, Valid request, Optional<User> user, String error) {
        page(ctx, status, request, user, error, user.map(u -> consents.granted(u.userId(), request.client().clientId())).orElse(java.util.Set.of()));
    }

    /** @param before what the person allowed this application already: only the rest is asked for */
    private void page(Context ctx, int status, Valid request, Optional<User> user, String error, java.util.Set<String> before) {
        String csrf = csrf(ctx, user.isPresent());
        StringBuilder scopes = new StringBuilder();
        StringBuilder kept = new StringBuilder();
        for (String id : TokenStore.scopes(request.scope())) {
            Scope s = Scope.of(id).orElse(null);
            String[] smart = s == null ? SmartScopes.inWords(id) : null;
            if (smart != null && !before.contains(id)) {
                // What a SMART app may do to which records, each new one asked in its own line: an app allowed to read
                // the person's Observations that asks to write them is seen asking, though the platform scope is the same.
                scopes.append("<li><strong>").append(escape(smart[0])).append("</strong> <span>").append(escape(smart[1])).append("</span></li>");
                continue;
            }
            if (s == null) continue;
            if (before.contains(id)) {
                if (kept.length() > 0) kept.append("、");
                kept.append(escape(s.zh()));
                continue;
            }
            scopes.append("<li><strong>").append(escape(s.zh())).append("</strong> <span>").append(escape(s.en())).append("</span></li>");
        }
        StringBuilder hidden = new StringBuilder();
        hidden(hidden, "csrf", csrf);
        hidden(hidden, "client_id", request.client().clientId());
        hidden(hidden, "response_type", "code");
        hidden(hidden, "redirect_uri", request.redirectUri());
        hidden(hidden, "scope", request.scope());
        if (request.state() != null) hidden(hidden, "state", request.state());
        if (request.aud() != null) hidden(hidden, "aud", request.aud());
        if (request.challenge() != null) {
            hidden(hidden, "code_challenge", request.challenge());
            hidden(hidden, "code_challenge_method", "S256");
        }
        String login = user.isPresent()
                ? "<p>已登录为 / Signed in as <strong>" + escape(user.get().username()) + "</strong></p>"
                : """
                  <label for="username">用户名 / Username</label>
                  <input id="username" name="username" autocomplete="username" required maxlength="64">
                  <label for="password">密码 / Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="72">
                  """;
        String body = "<h1>授权 <span>Authorize</span></h1>"
                + "<p><strong>" + escape(request.client().name()) + "</strong> 请求访问 / asks to access:</p>"
                + "<ul class=\"scopes\">" + scopes + "</ul>"
                + (kept.length() == 0 ? "" : "<p class=\"kept\">已授权 / Already allowed: " + kept + "</p>")
                + (error == null ? "" : "<p class=\"error\" role=\"alert\">" + escape(error) + "</p>")
                + "<form method=\"post\" action=\"/oauth2/authorize\">" + hidden + login
                + "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">同意 / Allow</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\" formnovalidate>拒绝 / Deny</button></div>"
                + "</form>";
        ctx.status(status).contentType("text/html; charset=utf-8").result(layout("授权 / Authorize " + request.client().name(), body));
    }

    private static void hidden(StringBuilder out, String name, String value) {
        out.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(escape(value)).append("\">");
    }

    /** The console's look (one stylesheet for both), no script: the page works with forms alone. */
    static String layout(String title, String body) {
        return """
                <!DOCTYPE html>
                <html lang="zh-CN"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Omix</title>
                <link rel="stylesheet" href="/console/assets/console.css">
                </head>
                <body data-page="consent"><main id="main" class="card narrow">%s</main></body></html>
                """.formatted(escape(title), body);
    }

    static String escape(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

}
