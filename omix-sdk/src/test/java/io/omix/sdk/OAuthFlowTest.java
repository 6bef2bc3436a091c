package io.omix.sdk;

import io.omix.server.testing.MutableClock;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OAuth2 authorization server end to end: the SDK for the API calls, a plain HTTP client for the login page. */
class OAuthFlowTest {
    static final MutableClock clock = new MutableClock();
    static TestServer server;
    static Identity.Person alice;
    static Identity.Person bob;
    static Identity.Client client;
    static OAuth2 oauth2;

    @BeforeAll
    static void start() {
        server = TestServer.builder().clock(clock).capabilities(ProbeCapability::new).start();
        alice = Identity.user(server, "alice", "alice@example.org");
        bob = Identity.user(server, "bob", "bob@example.org");
        client = Identity.confidentialClient(server);
        oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(server.url()).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        oauth2.close();
        server.close();
    }

    /** Logs in as {@code person} through the page and returns the code the redirect brought. */
    static String code(OAuth2 oauth, Identity.Person person, List<String> scopes, Pkce pkce) throws Exception {
        String state = "st-" + System.nanoTime();
        HttpResponse<String> answer = new LoginPage().authorize(oauth.getAuthorizationUrl(Identity.REDIRECT, state, scopes, pkce),
                person.username(), person.password(), true);
        assertEquals(302, answer.statusCode(), answer.body());
        Map<String, String> params = LoginPage.redirectParams(answer);
        assertEquals(Identity.REDIRECT, params.get("_base"));
        assertEquals(state, params.get("state"), "state comes back unchanged");
        assertNotNull(params.get("code"), params.toString());
        return params.get("code");
    }

    static int codeOf(Supplier<?> call) {
        return assertThrows(ApiException.class, call::get).code();
    }

    static String oauthError(Supplier<?> call) {
        ApiException e = assertThrows(ApiException.class, call::get);
        assertEquals(400, e.code());
        assertEquals("错误的请求", e.msg());
        return e.dataModel().getString("error");
    }

    /**
     * Tokens given at the token endpoint are counted (ratelimit.tokens-per-client-per-minute, over all servers): a
     * client's own per client, a person's per person and client, so that one person rotating a refresh token in a loop
     * spends nobody else's. Beyond, 429 with when to retry. Requests that are not good (a wrong secret) spend nothing,
     * a refresh refused for the budget leaves the refresh token to the retry, and the next minute gives it back.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void tokensAreGivenSoManyAMinute(String kind) {
        MutableClock minutes = new MutableClock();
        try (TestServer s = TestServer.builder().database(kind).clock(minutes).setting("ratelimit.tokens-per-client-per-minute", "3").start()) {
            Identity.Client app = Identity.confidentialClient(s);
            String carol = Identity.userToken(s, app, Identity.user(s, "carol", "carol@example.org").userId(), "profile").refreshToken();
            String dave = Identity.userToken(s, app, Identity.user(s, "dave", "dave@example.org").userId(), "profile").refreshToken();
            try (OAuth2 own = OAuth2.builder(app.id(), app.secret()).endpoint(s.url()).maxRetries(0).build();
                 OAuth2 wrong = OAuth2.builder(app.id(), "not-the-secret").endpoint(s.url()).maxRetries(0).build()) {
                for (int i = 0; i < 5; i++) assertThrows(ApiException.class, wrong::getCredentialsToken);
                for (int i = 0; i < 3; i++) own.getCredentialsToken();
                RateLimitedException over = assertThrows(RateLimitedException.class, own::getCredentialsToken);
                assertEquals(429, over.code());
                assertTrue(over.dataModel().getInt("retry_after_seconds") >= 1, over.getMessage());

                for (int i = 0; i < 3; i++) carol = own.exchangeRefreshToken(carol).refreshToken();   // the client's own budget spent: a person's stands
                String kept = carol;
                assertThrows(RateLimitedException.class, () -> own.exchangeRefreshToken(kept));
                assertNotNull(own.exchangeRefreshToken(dave).accessToken(), "another person's budget is their own");
                minutes.advance(java.time.Duration.ofMinutes(1));
                assertNotNull(own.exchangeRefreshToken(kept).accessToken(), "the refresh token refused for the budget still works");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void authorizationCodeFlowEndToEnd(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person carol = Identity.user(s, "carol", "carol@example.org");
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build()) {
                AccessToken token = o.exchangeAuthorizationCode(code(o, carol, List.of("profile", "email"), null), Identity.REDIRECT);
                assertEquals("Bearer", token.tokenType());
                assertEquals(7200L, token.expiresIn());
                assertEquals(List.of("profile", "email"), token.scopes());
                assertNotNull(token.refreshToken());
                try (Api api = token.api()) {
                    Model user = api.getUser();
                    assertEquals("carol", user.getString("username"));
                    assertEquals(carol.userId(), user.getString("userId"));
                    assertEquals("carol@example.org", user.getString("email"));
                    assertEquals("1990-05-17T00:00:00+0800", user.getString("birthday"));
                    assertFalse(user.containsKey("phone"), "phone is outside the granted scopes");
                    assertEquals("nick-carol", user.as(User.class).nickname());
                }
                Model info = o.introspect(token.accessToken());
                assertEquals(true, info.getBoolean("active"));
                assertEquals(c.id(), info.getString("client_id"));
                assertEquals(carol.userId(), info.getString("sub"));

                AccessToken refreshed = token.refresh();
                assertNotEquals(token.accessToken(), refreshed.accessToken());
                assertNotEquals(token.refreshToken(), refreshed.refreshToken());
                try (Api api = refreshed.api()) {
                    assertEquals("carol", api.getUser().getString("username"));
                }
            }
        }
    }

    @Test
    void refreshTokensRotateAndAReusedOneRevokesTheFamily() throws Exception {
        AccessToken first = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        AccessToken second = first.refresh();
        assertEquals("invalid_grant", oauthError(first::refresh), "the rotated refresh token is dead");
        try (Api api = second.api()) {
            assertEquals(403, codeOf(api::getUser), "reuse of an old refresh token revokes every token of its family");
        }
        assertEquals("invalid_grant", oauthError(second::refresh));
    }

    @Test
    void clientCredentialsTokensActForTheApplication() {
        AccessToken token = oauth2.getCredentialsToken(List.of("samples"));
        assertNull(token.refreshToken(), "no refresh token for the client-credentials grant");
        assertEquals(List.of("samples"), token.scopes());
        try (Api api = token.api()) {
            ApiException e = assertThrows(ApiException.class, api::getUser);
            assertEquals(401, e.code());
            assertEquals("无访问权限", e.msg());
            Model who = Answers.model(api.call(io.omix.sdk.internal.ApiRequest.get("/test/client-only")));
            assertEquals("CLIENT_TOKEN", who.getString("kind"));
            assertEquals(client.id(), who.getString("client_id"));
            assertEquals(401, codeOf(() -> api.call(io.omix.sdk.internal.ApiRequest.get("/test/user-only"))));
        }
    }

    @Test
    void userTokensAreRefusedWhereOnlyApplicationsMayCall() throws Exception {
        AccessToken token = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        try (Api api = token.api()) {
            ApiException e = assertThrows(ApiException.class, () -> api.call(io.omix.sdk.internal.ApiRequest.get("/test/client-only")));
            assertEquals(40014, e.code());
            assertEquals("本接口不支持授权码模式的应用访问", e.msg());
        }
    }

    @Test
    void wrongOrMissingClientSecretsAreInvalidClient() {
        try (OAuth2 wrong = OAuth2.builder(client.id(), "ocs_wrong").endpoint(server.url()).build();
             OAuth2 unknown = OAuth2.builder("omxnosuchclient", "x").endpoint(server.url()).build();
             OAuth2 none = OAuth2.builder(client.id(), null).endpoint(server.url()).build()) {
            assertEquals("invalid_client", oauthError(wrong::getCredentialsToken));
            assertEquals("invalid_client", oauthError(unknown::getCredentialsToken));
            assertEquals("invalid_client", oauthError(none::getCredentialsToken));
        }
    }

    @Test
    void unknownClientsAndUnregisteredRedirectUrisGetAnErrorPageNeverARedirect() throws Exception {
        LoginPage browser = new LoginPage();
        HttpResponse<String> wrongUri = browser.get(oauth2.getAuthorizationUrl("http://127.0.0.1:8765/evil", "s", null));
        assertEquals(400, wrongUri.statusCode());
        assertTrue(wrongUri.headers().firstValue("Location").isEmpty());
        assertTrue(wrongUri.body().contains("redirect_uri"));
        try (OAuth2 unknown = OAuth2.builder("omxnosuchclient", "x").endpoint(server.url()).build()) {
            HttpResponse<String> page = browser.get(unknown.getAuthorizationUrl(Identity.REDIRECT, "s", null));
            assertEquals(400, page.statusCode());
            assertTrue(page.headers().firstValue("Location").isEmpty());
        }
    }

    @Test
    void otherAuthorizationErrorsGoBackToTheClientByRedirect() throws Exception {
        LoginPage browser = new LoginPage();
        Map<String, String> badScope = LoginPage.redirectParams(browser.get(oauth2.getAuthorizationUrl(Identity.REDIRECT, "s1", List.of("nope"))));
        assertEquals("invalid_scope", badScope.get("error"));
        assertEquals("s1", badScope.get("state"));
        Map<String, String> denied = LoginPage.redirectParams(browser.authorize(
                oauth2.getAuthorizationUrl(Identity.REDIRECT, "s2", null), alice.username(), alice.password(), false));
        assertEquals("access_denied", denied.get("error"));
        assertEquals("s2", denied.get("state"));
        assertNull(denied.get("code"));
    }

    @Test
    void theLoginPageRefusesWrongPasswordsAndForgedForms() throws Exception {
        LoginPage browser = new LoginPage();
        String url = oauth2.getAuthorizationUrl(Identity.REDIRECT, "s", null);
        HttpResponse<String> page = browser.get(url);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Test app"), "the page names the client");
        assertTrue(page.body().contains("基本资料"), "the page lists the scopes");
        assertTrue(page.headers().firstValue("X-Frame-Options").orElse("").equals("DENY"));
        Map<String, String> form = LoginPage.hiddenFields(page.body());
        form.put("username", alice.username());
        form.put("password", "wrong-password");
        form.put("decision", "approve");
        HttpResponse<String> wrong = browser.post(server.url() + "/oauth2/authorize", form);
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("Location").isEmpty());

        form.put("password", alice.password());
        form.put("csrf", "forged");
        HttpResponse<String> forged = browser.post(server.url() + "/oauth2/authorize", form);
        assertEquals(403, forged.statusCode());
        assertTrue(forged.headers().firstValue("Location").isEmpty());

        LoginPage stranger = new LoginPage(); // no CSRF cookie at all, as in a cross-site post
        assertEquals(403, stranger.post(server.url() + "/oauth2/authorize", form).statusCode());
    }

    /**
     * A signed-in person's consent form carries a token bound to their session: a value planted in the form-token
     * cookie (from a sibling host, or a plain-HTTP answer) and repeated in a forged post approves nothing.
     */
    @Test
    void aSignedInPersonsConsentCannotBeForgedWithAPlantedCookie() throws Exception {
        Identity.Person victim = Identity.user(server, "csrf-victim", "csrf-victim@example.org");
        LoginPage browser = new LoginPage();
        Map<String, String> first = LoginPage.redirectParams(browser.authorize(
                oauth2.getAuthorizationUrl(Identity.REDIRECT, "s1", List.of("profile")), victim.username(), victim.password(), true));
        assertNotNull(first.get("code"), "signed in and approved");
        HttpResponse<String> page = browser.get(oauth2.getAuthorizationUrl(Identity.REDIRECT, "s2", List.of("profile", "samples")));
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains("name=\"password\""), "signed in: only the new scope is asked for");
        Map<String, String> form = LoginPage.hiddenFields(page.body());
        form.put("decision", "approve");

        java.net.HttpCookie planted = new java.net.HttpCookie("omix_csrf", "planted-by-an-attacker");
        planted.setPath("/oauth2");
        planted.setVersion(0);
        java.net.CookieStore jar = ((java.net.CookieManager) browser.browser.cookieHandler().orElseThrow()).getCookieStore();
        for (java.net.HttpCookie c : jar.getCookies()) if (c.getName().equals("omix_csrf")) jar.remove(null, c); // overwritten
        jar.add(java.net.URI.create(server.url()), planted);
        Map<String, String> forged = new java.util.LinkedHashMap<>(form);
        forged.put("csrf", "planted-by-an-attacker");
        HttpResponse<String> refused = browser.post(server.url() + "/oauth2/authorize", forged);
        assertEquals(403, refused.statusCode());
        assertTrue(refused.headers().firstValue("Location").isEmpty(), "no code for a forged consent");

        Map<String, String> approved = LoginPage.redirectParams(browser.post(server.url() + "/oauth2/authorize", form));
        assertNotNull(approved.get("code"), "the page's own form still works");
        assertEquals("s2", approved.get("state"));
    }

    @Test
    void repeatedWrongPasswordsLockTheUsernameForAWhile() throws Exception {
        Identity.Person gina = Identity.user(server, "gina", "gina@example.org");
        String url = oauth2.getAuthorizationUrl(Identity.REDIRECT, "s", null);
        for (int i = 0; i < 5; i++) {
            assertEquals(401, new LoginPage().authorize(url, gina.username(), "wrong-" + i, true).statusCode());
        }
        HttpResponse<String> locked = new LoginPage().authorize(url, gina.username(), gina.password(), true);
        assertEquals(429, locked.statusCode(), "even the right password waits while locked");
        assertTrue(locked.headers().firstValue("Location").isEmpty());
        assertEquals(401, new LoginPage().authorize(url, "nobody-such", "x", true).statusCode(),
                "another username is not locked by gina's failures");
        clock.advance(Duration.ofMinutes(16));
        assertEquals(302, new LoginPage().authorize(url, gina.username(), gina.password(), true).statusCode());
    }

    @Test
    void aSignedInUserOnlyConsents() throws Exception {
        Identity.Person hana = Identity.user(server, "hana", "hana@example.org");
        LoginPage browser = new LoginPage();
        browser.authorize(oauth2.getAuthorizationUrl(Identity.REDIRECT, "a", java.util.List.of("profile")), hana.username(), hana.password(), true);
        // A scope not allowed before: asked, but not for the password again.
        HttpResponse<String> again = browser.get(oauth2.getAuthorizationUrl(Identity.REDIRECT, "b", java.util.List.of("profile", "samples")));
        assertTrue(again.body().contains("Signed in as <strong>hana</strong>"), again.body());
        assertFalse(again.body().contains("name=\"password\""));
    }

    @Test
    void aCodeWorksOnceAndItsSecondUseRevokesWhatTheFirstIssued() throws Exception {
        String code = code(oauth2, alice, null, null);
        AccessToken token = oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT);
        assertEquals("invalid_grant", oauthError(() -> oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT)));
        try (Api api = token.api()) {
            assertEquals(403, codeOf(api::getUser));
        }
        assertEquals("invalid_grant", oauthError(token::refresh));
    }

    @Test
    void codesExpireAfterTenMinutes() throws Exception {
        String code = code(oauth2, alice, null, null);
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertEquals("invalid_grant", oauthError(() -> oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT)));
    }

    @Test
    void codesAreBoundToTheirClientAndRedirectUri() throws Exception {
        String code = code(oauth2, alice, null, null);
        Identity.Client other = Identity.confidentialClient(server);
        try (OAuth2 thief = OAuth2.builder(other.id(), other.secret()).endpoint(server.url()).build()) {
            assertEquals("invalid_grant", oauthError(() -> thief.exchangeAuthorizationCode(code, Identity.REDIRECT)));
        }
        assertEquals("invalid_grant", oauthError(() -> oauth2.exchangeAuthorizationCode(code, "http://127.0.0.1:8765/other")));
        assertNotNull(oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT).accessToken(), "failed attempts did not spend it");
    }

    /** A secret in a token request's URL (logged by every proxy on the way) is refused, the request not served. */
    @Test
    void secretsInTheUrlOfATokenRequestAreRefused() throws Exception {
        Identity.Client c = Identity.confidentialClient(server);
        for (String path : List.of("/oauth2/access_token", "/oauth2/token")) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.url() + path + "?client_secret=" + c.secret()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + c.id())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(r.body().contains("client_secret belongs in the form body, not the URL") && !r.body().contains("access_token\""), path + ": " + r.body());
        }
        // Introspection and revocation take the client's secret and the token in the body too.
        for (String path : List.of("/oauth2/introspect?client_secret=" + c.secret(), "/oauth2/revoke?token=t0ken")) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.url() + path)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("client_id=" + c.id() + "&token=x")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(r.body().contains("belongs in the form body, not the URL") && !r.body().contains("active"), path + ": " + r.body());
        }
        // In the body, as the protocol has it, the same request is served.
        java.net.http.HttpResponse<String> ok = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.url() + "/oauth2/access_token")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + c.id() + "&client_secret=" + c.secret())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(ok.body().contains("access_token"), ok.body());
    }

    @Test
    void publicClientsMustUsePkce() throws Exception {
        Identity.Client pub = Identity.publicClient(server);
        try (OAuth2 o = OAuth2.builder(pub.id(), null).endpoint(server.url()).build()) {
            Map<String, String> refused = LoginPage.redirectParams(new LoginPage().get(o.getAuthorizationUrl(Identity.REDIRECT, "s", null)));
            assertEquals("invalid_request", refused.get("error"));

            Pkce pkce = Pkce.generate();
            String code = code(o, alice, null, pkce);
            assertEquals("invalid_grant", oauthError(() -> o.exchangeAuthorizationCode(code, Identity.REDIRECT)), "verifier missing");
            assertEquals("invalid_grant", oauthError(() -> o.exchangeAuthorizationCode(code, Identity.REDIRECT, Pkce.generate().verifier())));
            AccessToken token = o.exchangeAuthorizationCode(code, Identity.REDIRECT, pkce.verifier());
            try (Api api = token.api()) {
                assertEquals("alice", api.getUser().getString("username"));
            }
            assertEquals("unauthorized_client", oauthError(o::getCredentialsToken));
        }
    }

    @Test
    void confidentialClientsMayUsePkceToo() throws Exception {
        Pkce pkce = Pkce.generate();
        String code = code(oauth2, alice, null, pkce);
        assertEquals("invalid_grant", oauthError(() -> oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT)));
        assertNotNull(oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT, pkce.verifier()).accessToken());
    }

    @Test
    void expiredRevokedAndGarbageTokensAre403() throws Exception {
        AccessToken token = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        try (Api garbage = Api.builder("oat_garbage").endpoint(server.url()).build();
             Api empty = Api.builder("").endpoint(server.url()).build()) {
            ApiException e = assertThrows(ApiException.class, garbage::getUser);
            assertEquals(403, e.code());
            assertEquals("access_token 已失效或错误", e.msg());
            assertEquals(403, codeOf(empty::getUser));
        }
        AccessToken other = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        oauth2.revoke(other.accessToken());
        try (Api api = other.api()) {
            assertEquals(403, codeOf(api::getUser), "revocation takes effect at once");
        }
        assertFalse(oauth2.introspect(other.accessToken()).getBoolean("active"));
        try (Api api = token.api()) {
            assertEquals("alice", api.getUser().getString("username"));
            clock.advance(Duration.ofSeconds(7201));
            assertEquals(403, codeOf(api::getUser), "expired");
        }
    }

    @Test
    void revokingARefreshTokenEndsItsFamily() throws Exception {
        AccessToken token = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        oauth2.revoke(token.refreshToken());
        try (Api api = token.api()) {
            assertEquals(403, codeOf(api::getUser));
        }
        assertEquals("invalid_grant", oauthError(token::refresh));
    }

    @Test
    void aMalformedBasicHeaderIsAnInvalidClientNotAFailure() throws Exception {
        for (String credentials : List.of("%zz:x", "id:%g0")) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.url() + "/oauth2/access_token")).header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() < 500, r.body());
            assertTrue(r.body().contains("\"error\":\"invalid_client\""), r.body());
        }
    }

    @Test
    void introspectionNamesOnlyTheScopesTheClientStillHolds() throws Exception {
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build()) {
            AccessToken token = o.exchangeAuthorizationCode(code(o, alice, List.of("samples", "variants"), null), Identity.REDIRECT);
            new io.omix.server.oauth.ClientStore(Identity.platform(server)).update(c.id(), null, Set.of("samples", "profile"), null);
            Model info = o.introspect(token.accessToken());
            assertEquals(true, info.getBoolean("active"));
            assertEquals("samples", info.getString("scope"), "variants was taken from the client: the token has lost it too");
            new io.omix.server.oauth.ClientStore(Identity.platform(server)).update(c.id(), null, Set.of("profile"), null);
            assertEquals(false, o.introspect(token.accessToken()).getBoolean("active"), "nothing it was granted is left");
        }
    }

    @Test
    void introspectionShowsOnlyTheClientsOwnTokens() throws Exception {
        AccessToken token = oauth2.exchangeAuthorizationCode(code(oauth2, alice, null, null), Identity.REDIRECT);
        Identity.Client other = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(other.id(), other.secret()).endpoint(server.url()).build()) {
            Model info = o.introspect(token.accessToken());
            assertEquals(false, info.getBoolean("active"));
            assertEquals(1, info.size(), "an inactive answer says nothing else");
        }
    }

    @Test
    void theProfileShowsOnlyWhatTheScopesAllow() throws Exception {
        AccessToken emailOnly = oauth2.exchangeAuthorizationCode(code(oauth2, alice, List.of("email"), null), Identity.REDIRECT);
        try (Api api = emailOnly.api()) {
            assertEquals(Map.of("email", "alice@example.org"), api.getUser().json());
        }
        AccessToken noProfile = oauth2.exchangeAuthorizationCode(code(oauth2, alice, List.of("samples"), null), Identity.REDIRECT);
        try (Api api = noProfile.api()) {
            assertEquals(401, codeOf(api::getUser));
        }
    }

    @Test
    void anotherUsersTokenNeverSeesThisUsersData() throws Exception {
        AccessToken bobs = oauth2.exchangeAuthorizationCode(code(oauth2, bob, null, null), Identity.REDIRECT);
        try (Api api = bobs.api()) {
            Model user = api.getUser();
            assertEquals(bob.userId(), user.getString("userId"));
            assertEquals("bob@example.org", user.getString("email"));
            assertFalse(user.dumps().contains("alice"));
        }
    }

    @Test
    void scopesBeyondTheClientsAreRefused() {
        assertEquals("invalid_scope", oauthError(() -> oauth2.getCredentialsToken(List.of("everything"))));
    }
}
