package io.omix.server.common.http;

import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sign-in pages' cookies are Secure whenever visitors reach the server over HTTPS, including behind a TLS proxy
 * that sends no X-Forwarded-Proto: an https {@code server.public-url} says so.
 */
class CookieFlagsTest {
    static String consentPageCookie(TestServer s, String forwardedProto) throws Exception {
        boolean https = forwardedProto != null || s.server().platform().config().publicUrl().startsWith("https");
        String clientId = new ClientStore(s.server().platform()).create("Cookie app", List.of("https://app.example/cb"),
                Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("profile"), false, null).client().clientId();
        HttpRequest.Builder page = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server().port() + "/oauth2/authorize?response_type=code&client_id=" + clientId
                + "&redirect_uri=" + URLEncoder.encode("https://app.example/cb", StandardCharsets.UTF_8) + "&scope=profile"));
        if (forwardedProto != null) page.header("X-Forwarded-Proto", forwardedProto);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(page.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        return answer.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith((https ? "__Host-" : "") + "omix_csrf=")).findFirst().orElseThrow();
    }

    @Test
    void anHttpsPublicUrlMakesEveryCookieSecure() throws Exception {
        try (TestServer s = TestServer.builder().setting("server.public-url", "https://omix.example.org").start()) {
            String cookie = consentPageCookie(s, null);
            assertTrue(cookie.contains("; Secure"), cookie);
            assertTrue(cookie.contains("; HttpOnly"), cookie);
        }
    }

    @Test
    void plainHttpWithoutAnHttpsSignGetsNoSecureFlagElseItDoes() throws Exception {
        try (TestServer s = TestServer.start()) {
            assertFalse(consentPageCookie(s, null).contains("Secure"), "a plain-HTTP test server could not send it back");
            assertTrue(consentPageCookie(s, "https").contains("; Secure"), "a balancer that says https");
        }
    }

    /**
     * Over HTTPS the session cookie is {@code __Host-omix_session} (Secure, Path=/, no Domain) and only that name is
     * read: a session id planted under the plain name (by a sibling domain or a plain-HTTP page) signs nobody in.
     */
    @Test
    void overHttpsTheSessionLivesOnlyUnderTheHostPrefix() throws Exception {
        try (TestServer s = TestServer.builder().setting("server.public-url", "https://omix.example.org").start()) {
            var platform = s.server().platform();
            var user = new io.omix.server.users.UserStore(platform).create("prefixed", "prefixed-password-S3cret",
                    io.omix.server.users.User.Profile.EMPTY, false);
            String session = new io.omix.server.users.SessionStore(platform).start(user.userId()).orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            String local = "http://127.0.0.1:" + s.server().port(); // behind the TLS proxy that the public URL names
            java.util.function.Function<String, Integer> samplesPage = cookie -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(local + "/console/samples")).header("Cookie", cookie).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertEquals(200, samplesPage.apply("__Host-omix_session=" + session));
            assertEquals(302, samplesPage.apply("omix_session=" + session), "the plain name is not read over HTTPS");
            // The consent page reads the same cookie: signed in under the prefixed name, asked for a password under the plain one.
            String clientId = new ClientStore(platform).create("Prefixed app", List.of("https://app.example/cb"),
                    Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("profile"), false, null).client().clientId();
            java.util.function.Function<String, String> consentPage = cookie -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(local + "/oauth2/authorize?response_type=code&client_id=" + clientId
                            + "&redirect_uri=" + URLEncoder.encode("https://app.example/cb", StandardCharsets.UTF_8) + "&scope=profile"))
                            .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString()).body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertFalse(consentPage.apply("__Host-omix_session=" + session).contains("name=\"password\""), "signed in: consent only");
            assertTrue(consentPage.apply("omix_session=" + session).contains("name=\"password\""), "the plain name signs nobody in");

            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(local + "/console/login")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String csrf = login.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-omix_login_csrf=")).findFirst()
                    .orElseThrow(() -> new AssertionError(login.headers().allValues("Set-Cookie").toString()));
            assertTrue(csrf.contains("; Path=/;") && csrf.contains("; Secure") && !csrf.contains("Domain"), csrf);
            String token = csrf.substring(csrf.indexOf('=') + 1, csrf.indexOf(';'));
            java.util.function.Function<String, HttpResponse<String>> signIn = cookieHeader -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(local + "/console/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookieHeader)
                            .POST(HttpRequest.BodyPublishers.ofString("username=prefixed&password=prefixed-password-S3cret&csrf=" + token)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            // A form token planted under a name another host could set (plain, or __Secure- with a parent Domain) is not read.
            for (String planted : List.of("omix_login_csrf=" + token, "__Secure-omix_login_csrf=" + token)) {
                HttpResponse<String> refused = signIn.apply(planted);
                assertTrue(refused.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.contains("omix_session=")),
                        planted + " signed someone in: " + refused.headers().allValues("Set-Cookie"));
            }
            HttpResponse<String> signedIn = signIn.apply("__Host-omix_login_csrf=" + token);
            String cookie = signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-omix_session=")).findFirst()
                    .orElseThrow(() -> new AssertionError(signedIn.statusCode() + " " + signedIn.headers().allValues("Set-Cookie")));
            assertTrue(cookie.contains("; Path=/;") && cookie.contains("; Secure") && !cookie.contains("Domain"), cookie);
        }
    }
}
