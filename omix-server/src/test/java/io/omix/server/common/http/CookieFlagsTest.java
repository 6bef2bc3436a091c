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
        String clientId = new ClientStore(s.server().platform()).create("Cookie app", List.of("https://app.example/cb"),
                Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("profile"), false, null).client().clientId();
        HttpRequest.Builder page = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.server().port() + "/oauth2/authorize?response_type=code&client_id=" + clientId
                + "&redirect_uri=" + URLEncoder.encode("https://app.example/cb", StandardCharsets.UTF_8) + "&scope=profile"));
        if (forwardedProto != null) page.header("X-Forwarded-Proto", forwardedProto);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(page.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        return answer.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("omix_csrf=")).findFirst().orElseThrow();
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
}
