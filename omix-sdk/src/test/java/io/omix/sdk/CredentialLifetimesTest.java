package io.omix.sdk;

import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import io.omix.server.users.LoginThrottle;
import io.omix.server.users.UserStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every credential dies with the grant behind it, as an attacker holding a copy would find: upload
 * credentials after their token is revoked or its user or client disabled; a disabled user's tokens
 * at introspection and refresh; the tokens rotated from a replayed code; scopes cut from a client;
 * a PKCE verifier for a code issued without a challenge; concurrent password guesses; links built
 * from a forged Host header.
 */
class CredentialLifetimesTest {

    /** A user token (with a refresh token) of {@code client} for {@code person}, as the code grant issues it. */
    static TokenStore.Issued userToken(TestServer s, Identity.Client client, Identity.Person person, String scope) {
        return Identity.userToken(s, client, person.userId(), scope);
    }

    static int uploadCode(Api api, Model credentials) {
        InputStream body = new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8));
        ApiException e = assertThrows(ApiException.class, () -> api.upload("x.txt", body, UploadOptions.builder().credentials(credentials).build()));
        return e.code();
    }

    static int linkStatus(String url) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void signedLinksLiveAsLongAsTheGrantThatAskedForThem(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "linker", "linker@example.org");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                TokenStore.Issued grant = userToken(s, client, person, "files");
                String url;
                String object;
                try (Api api = Api.builder(grant.accessToken()).endpoint(s.url()).build()) {
                    object = api.upload("week.txt", "linked for a week");
                    url = api.getDownloadUrl(object, null, 604_800).getString("url");
                }
                assertEquals(200, linkStatus(url));
                // HEAD: the headers a GET has (the size, the checksum), no bytes, and no read in the person's audit trail.
                java.net.http.HttpResponse<String> head = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url)).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, head.statusCode());
                assertEquals(String.valueOf("linked for a week".length()), head.headers().firstValue("Content-Length").orElse(null));
                assertTrue(head.headers().firstValue("X-Omix-Content-SHA256").isPresent());
                assertEquals("", head.body());
                oauth2.revoke(grant.accessToken());
                assertEquals(200, linkStatus(url), "the access token alone is gone: the grant stands, refreshed tokens go on");
                String tampered = url.replaceAll("Grant=t\\.[^&]+", "Grant=t.other");
                assertEquals(403, linkStatus(tampered), "the grant is signed");
                oauth2.revoke(grant.refreshToken());
                assertEquals(403, linkStatus(url), "the grant revoked: its week-long link is over");

                TokenStore.Issued second = userToken(s, client, person, "files");
                String kept;
                try (Api api = Api.builder(second.accessToken()).endpoint(s.url()).build()) {
                    kept = api.getDownloadUrl(object, null, 604_800).getString("url");
                }
                assertEquals(200, linkStatus(kept));
                new io.omix.server.oauth.ClientStore(Identity.platform(s)).update(client.id(), null, java.util.Set.of("samples"), null);
                assertEquals(403, linkStatus(kept), "the files scope taken from the client");
                new io.omix.server.oauth.ClientStore(Identity.platform(s)).update(client.id(), null, java.util.Set.of("samples", "files"), null);
                assertEquals(200, linkStatus(kept));
                new io.omix.server.users.UserStore(Identity.platform(s)).setDisabled(person.username(), true);
                assertEquals(403, linkStatus(kept), "its user disabled");
                new io.omix.server.users.UserStore(Identity.platform(s)).setDisabled(person.username(), false);
                assertEquals(403, linkStatus(kept), "and enabled again: the tokens were revoked for good, the link with them");

                // A grant that runs out (its refresh token's time up, never revoked) ends its links then, not when housekeeping
                // removes its rows a day later.
                TokenStore.Issued third = userToken(s, client, person, "files");
                String expiring;
                try (Api api = Api.builder(third.accessToken()).endpoint(s.url()).build()) {
                    expiring = api.getDownloadUrl(object, null, 604_800).getString("url");
                }
                assertEquals(200, linkStatus(expiring));
                Identity.platform(s).database().jdbc().update("UPDATE oauth_tokens SET expires_at = ? WHERE family_id IN"
                        + " (SELECT family_id FROM oauth_tokens WHERE token_hash = ?)", java.time.OffsetDateTime.now().minusMinutes(1),
                        io.omix.server.common.auth.Secrets.hash(third.accessToken()));
                assertEquals(403, linkStatus(expiring), "the grant ran out");

                // An application's own link is the application's: it outlives the two-hour token (and its removal by
                // housekeeping) and ends when the secret is rotated.
                String own;
                try (Api app = oauth2.getCredentialsToken().api()) {
                    String mine = app.upload("app.txt", "the application's own file");
                    own = app.getDownloadUrl(mine, null, 604_800).getString("url");
                }
                assertEquals(200, linkStatus(own));
                Identity.platform(s).database().jdbc().update("DELETE FROM oauth_tokens WHERE client_id = ? AND grant_type = 'client_credentials'",
                        client.id());
                assertEquals(200, linkStatus(own), "its token gone, the application's grant stands");
                new io.omix.server.oauth.ClientStore(Identity.platform(s)).setDisabled(client.id(), true);
                assertEquals(403, linkStatus(own), "the application disabled");
                new io.omix.server.oauth.ClientStore(Identity.platform(s)).setDisabled(client.id(), false);
                assertEquals(403, linkStatus(own), "and enabled again without a new secret: its links ended for good");
                try (Api app = oauth2.getCredentialsToken().api()) {
                    own = app.getDownloadUrl(app.upload("again.txt", "after the incident"), null, 604_800).getString("url");
                }
                assertEquals(200, linkStatus(own), "a link made after it was enabled again");
                new io.omix.server.oauth.ClientStore(Identity.platform(s)).rotateSecret(client.id());
                assertEquals(403, linkStatus(own), "the secret rotated: what the old one obtained ends");
            }
        }
    }

    /** A download in progress ends with the grant behind its link, within a second or so, not only a download that starts after. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDownloadInProgressEndsWithItsGrant(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "streamer", "streamer@example.org");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                TokenStore.Issued grant = userToken(s, client, person, "files");
                byte[] content = new byte[48 << 20];
                new java.util.Random(5).nextBytes(content);
                String url;
                try (Api api = Api.builder(grant.accessToken()).endpoint(s.url()).build()) {
                    url = api.getDownloadUrl(api.upload("big.bin", content), null, 3600).getString("url");
                }
                java.net.http.HttpResponse<java.io.InputStream> download = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, download.statusCode());
                long read = 0;
                byte[] buffer = new byte[1 << 20];
                try (java.io.InputStream in = download.body()) {
                    read += in.readNBytes(buffer, 0, buffer.length);
                    oauth2.revoke(grant.refreshToken());
                    // Read on slowly (20 MB/s: the whole file would take two and a half seconds more).
                    for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                        read += n;
                        Thread.sleep(50);
                    }
                } catch (java.io.IOException cut) {
                    // the connection cut short: what a client sees of a download whose grant ended
                }
                assertTrue(read < content.length, "read " + read + " of " + content.length);
                assertEquals(403, linkStatus(url));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void uploadCredentialsDieWithTheirGrant(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "uploader", "uploader@example.org");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                TokenStore.Issued live = userToken(s, client, person, "files");
                try (Api api = Api.builder(live.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    assertNotNull(api.upload("ok.txt", new ByteArrayInputStream(new byte[] {1}), UploadOptions.builder().credentials(credentials).build()));
                }

                TokenStore.Issued revoked = userToken(s, client, person, "files");
                try (Api api = Api.builder(revoked.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    oauth2.revoke(revoked.accessToken());
                    assertEquals(42001, uploadCode(api, credentials), "the token that obtained them was revoked");
                }

                TokenStore.Issued family = userToken(s, client, person, "files");
                try (Api api = Api.builder(family.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    oauth2.revoke(family.refreshToken());
                    assertEquals(42001, uploadCode(api, credentials), "revoking the refresh token ends the family, credentials included");
                }

                TokenStore.Issued ofUser = userToken(s, client, person, "files");
                try (Api api = Api.builder(ofUser.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    new UserStore(Identity.platform(s)).setDisabled(person.username(), true);
                    assertEquals(42001, uploadCode(api, credentials), "their user was disabled");
                    new UserStore(Identity.platform(s)).setDisabled(person.username(), false);
                }

                TokenStore.Issued scopeCut = userToken(s, client, person, "files");
                try (Api api = Api.builder(scopeCut.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    Set<String> withoutFiles = new java.util.HashSet<>(Identity.allScopes());
                    withoutFiles.remove("files");
                    new ClientStore(Identity.platform(s)).update(client.id(), null, withoutFiles, null);
                    assertEquals(42001, uploadCode(api, credentials), "the files scope was taken from their client");
                    new ClientStore(Identity.platform(s)).update(client.id(), null, Identity.allScopes(), null);
                }

                TokenStore.Issued ofClient = userToken(s, client, person, "files");
                try (Api api = Api.builder(ofClient.accessToken()).endpoint(s.url()).build()) {
                    Model credentials = api.getUploadToken();
                    new ClientStore(Identity.platform(s)).setDisabled(client.id(), true);
                    assertEquals(42001, uploadCode(api, credentials), "their client was disabled");
                }
            }
        }
    }

    /**
     * Disabling a user or a client is for incidents: enabling it again revives none of the tokens, sessions and upload
     * credentials it held. A rotated secret (it leaked) takes what it obtained on its own, not people's grants.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void disablingEndsCredentialsForGoodAndARotatedSecretEndsWhatItObtained(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "incident", "incident@example.org");
            io.omix.server.users.SessionStore sessions = new io.omix.server.users.SessionStore(Identity.platform(s));
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).maxRetries(0).build()) {
                TokenStore.Issued before = userToken(s, client, person, "profile files");
                String session = sessions.start(person.userId()).orElseThrow();
                Model credentials;
                try (Api api = Api.builder(before.accessToken()).endpoint(s.url()).build()) {
                    credentials = api.getUploadToken();
                    new UserStore(Identity.platform(s)).setDisabled(person.username(), true);
                    new UserStore(Identity.platform(s)).setDisabled(person.username(), false);
                    assertEquals(42001, uploadCode(api, credentials), "upload credentials of a user disabled and enabled again");
                }
                assertEquals(false, oauth2.introspect(before.accessToken()).getBoolean("active"), "the user's access token stays dead");
                assertEquals("invalid_grant", assertThrows(ApiException.class, () -> oauth2.exchangeRefreshToken(before.refreshToken()))
                        .dataModel().getString("error"), "the user's refresh token stays dead");
                assertTrue(sessions.userOf(session).isEmpty(), "the user's sign-in session stays dead");

                TokenStore.Issued ofClient = userToken(s, client, person, "profile");
                new ClientStore(Identity.platform(s)).setDisabled(client.id(), true);
                new ClientStore(Identity.platform(s)).setDisabled(client.id(), false);
                assertEquals(false, oauth2.introspect(ofClient.accessToken()).getBoolean("active"), "a token of a client disabled and enabled again");

                AccessToken own = oauth2.getCredentialsToken();
                TokenStore.Issued persons = userToken(s, client, person, "profile");
                String secret = new ClientStore(Identity.platform(s)).rotateSecret(client.id());
                try (OAuth2 rotated = OAuth2.builder(client.id(), secret).endpoint(s.url()).maxRetries(0).build()) {
                    assertEquals(false, rotated.introspect(own.accessToken()).getBoolean("active"), "what the leaked secret obtained on its own");
                    assertEquals(true, rotated.introspect(persons.accessToken()).getBoolean("active"), "a person's grant stays");
                    assertEquals("invalid_client", assertThrows(ApiException.class, () -> oauth2.introspect(persons.accessToken()))
                            .dataModel().getString("error"), "the old secret is refused");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDisabledUsersTokensAreInactiveAndTheirRefreshTokensMintNothing(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "leaver", "leaver@example.org");
            TokenStore.Issued t = userToken(s, client, person, "profile");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).maxRetries(0).build()) {
                assertEquals(true, oauth2.introspect(t.accessToken()).getBoolean("active"));
                new UserStore(Identity.platform(s)).setDisabled(person.username(), true);
                assertEquals(false, oauth2.introspect(t.accessToken()).getBoolean("active"), "access token");
                assertEquals(false, oauth2.introspect(t.refreshToken()).getBoolean("active"), "refresh token");
                ApiException refused = assertThrows(ApiException.class, () -> oauth2.exchangeRefreshToken(t.refreshToken()));
                assertEquals("invalid_grant", refused.dataModel().getString("error"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void scopesCutFromAClientAreCutFromItsTokensAndRefreshTokens(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "scoped", "scoped@example.org");
            TokenStore.Issued t = userToken(s, client, person, "profile samples");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).maxRetries(0).build();
                 Api api = Api.builder(t.accessToken()).endpoint(s.url()).build()) {
                api.getSamples(SampleQuery.all());
                new ClientStore(Identity.platform(s)).update(client.id(), null, Set.of("profile"), null);
                assertEquals(401, assertThrows(ApiException.class, () -> api.getSamples(SampleQuery.all())).code(),
                        "the live access token lost samples with its client");
                AccessToken refreshed = oauth2.exchangeRefreshToken(t.refreshToken());
                assertEquals(List.of("profile"), refreshed.scopes(), "the refresh token mints only what the client still has");

                // A SMART grant whose only data scope is cut keeps its context scopes alone, which grant nothing: the grant is gone.
                TokenStore.Issued smart = userToken(s, client, person, "profile launch/patient offline_access");
                new ClientStore(Identity.platform(s)).update(client.id(), null, Set.of("samples"), null);
                try (Api smartApi = Api.builder(smart.accessToken()).endpoint(s.url()).build()) {
                    assertEquals(403, assertThrows(ApiException.class, smartApi::getUser).code(), "its access token is dead (not only short of a scope: 401)");
                }
                ApiException refused = assertThrows(ApiException.class, () -> oauth2.exchangeRefreshToken(smart.refreshToken()));
                assertEquals("invalid_grant", refused.dataModel().getString("error"), "and its refresh token mints nothing");
            }
        }
    }

    @Test
    void replayingACodeRevokesTheTokensRotatedFromItAndVerifiersNeedAChallenge() throws Exception {
        try (TestServer s = TestServer.start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "replayed", "replayed@example.org");
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).maxRetries(0).build()) {
                String code = code(oauth2, person, null);
                AccessToken first = oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT);
                AccessToken rotated = first.refresh();
                assertThrows(ApiException.class, () -> oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT));
                try (Api api = rotated.api()) {
                    assertEquals(403, assertThrows(ApiException.class, api::getUser).code(), "the rotated access token went with the family");
                }
                ApiException refresh = assertThrows(ApiException.class, rotated::refresh);
                assertEquals("invalid_grant", refresh.dataModel().getString("error"), "and the rotated refresh token");

                String plain = code(oauth2, person, null);
                ApiException verifier = assertThrows(ApiException.class,
                        () -> oauth2.exchangeAuthorizationCode(plain, Identity.REDIRECT, Pkce.generate().verifier()));
                assertEquals("invalid_grant", verifier.dataModel().getString("error"), "a verifier for a code issued without a challenge");

                // A redirect URI the operator took from the client (found to be an attacker's, say) redeems no code issued for
                // it in the ten minutes before.
                String issuedBefore = code(oauth2, person, null);
                new ClientStore(Identity.platform(s)).update(client.id(), List.of("http://127.0.0.1:8766/other"), null, null);
                ApiException removed = assertThrows(ApiException.class, () -> oauth2.exchangeAuthorizationCode(issuedBefore, Identity.REDIRECT));
                assertEquals("invalid_grant", removed.dataModel().getString("error"), "a code for a redirect URI no longer the client's");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void operatorEndpointsNeedTheAdminScopeAskedForByNameFromAFirstPartyClient(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            new UserStore(Identity.platform(s)).create("root1", "root1-password-S3cret", io.omix.server.users.User.Profile.EMPTY, true);
            Identity.Person operator = new Identity.Person(null, "root1", "root1-password-S3cret");
            Identity.Person plain = Identity.user(s, "plainuser", "plain@example.org");
            Identity.Client firstParty = Identity.confidentialClient(s); // allowed every scope, admin included
            ClientStore.Created thirdParty = new ClientStore(Identity.platform(s)).create("Third party", List.of(Identity.REDIRECT),
                    Set.of(OAuthClient.AUTHORIZATION_CODE, OAuthClient.CLIENT_CREDENTIALS), io.omix.server.common.auth.Scope.defaults(), false, null);
            try (OAuth2 first = OAuth2.builder(firstParty.id(), firstParty.secret()).endpoint(s.url()).maxRetries(0).build();
                 OAuth2 third = OAuth2.builder(thirdParty.client().clientId(), thirdParty.secret()).endpoint(s.url()).maxRetries(0).build()) {
                for (List<String> scopes : java.util.Arrays.asList(List.of("profile"), null)) {
                    try (Api api = first.exchangeAuthorizationCode(code(first, operator, scopes), Identity.REDIRECT).api()) {
                        assertEquals(401, assertThrows(ApiException.class, () -> adminUsers(api)).code(),
                                "an operator's token without admin asked for by name: " + scopes);
                    }
                }
                try (Api api = first.exchangeAuthorizationCode(code(first, operator, List.of("admin", "profile")), Identity.REDIRECT).api()) {
                    assertEquals(0, adminUsers(api), "admin, asked for, by an operator, from a first-party client");
                }
                assertEquals("invalid_scope", refusal(third, operator, List.of("admin")), "a client not allowed admin");
                assertEquals("invalid_scope", refusal(first, plain, List.of("admin")), "a user who does not operate the platform");
                ApiException credentials = assertThrows(ApiException.class, () -> first.getCredentialsToken(List.of("admin")));
                assertEquals("invalid_scope", credentials.dataModel().getString("error"), "an application's own token");
                assertFalse(first.getCredentialsToken().scopes().contains("admin"));
            }
        }
    }

    static int adminUsers(Api api) {
        return api.call(io.omix.sdk.internal.ApiRequest.get("/admin/users")).path("data").has("users") ? 0 : -1;
    }

    /** Where the login page sends {@code person}, approving {@code scopes}: the redirect's parameters. */
    static Map<String, String> redirect(OAuth2 oauth, Identity.Person person, List<String> scopes, Pkce pkce) throws Exception {
        HttpResponse<String> answer = new LoginPage().authorize(oauth.getAuthorizationUrl(Identity.REDIRECT, "st", scopes, pkce),
                person.username(), person.password(), true);
        assertEquals(302, answer.statusCode(), answer.body());
        return LoginPage.redirectParams(answer);
    }

    static String code(OAuth2 oauth, Identity.Person person, List<String> scopes) throws Exception {
        return redirect(oauth, person, scopes, null).get("code");
    }

    static String refusal(OAuth2 oauth, Identity.Person person, List<String> scopes) throws Exception {
        return redirect(oauth, person, scopes, null).get("error");
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void fortySimultaneousGuessesCheckAtMostFivePasswordsAndOnlyForTheirSource(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            LoginThrottle throttle = new LoginThrottle(Identity.platform(s));
            ExecutorService pool = Executors.newFixedThreadPool(40);
            try {
                List<Callable<Boolean>> guesses = new ArrayList<>();
                for (int i = 0; i < 40; i++) guesses.add(() -> throttle.admit("operator", "203.0.113.7"));
                int admitted = 0;
                for (Future<Boolean> f : pool.invokeAll(guesses)) if (f.get()) admitted++;
                assertEquals(5, admitted, "exactly five passwords checked");
                assertTrue(throttle.admit("operator", "198.51.100.1"), "the owner, elsewhere, is not locked out");
                assertTrue(throttle.admit("someone-else", "203.0.113.7"), "other accounts from that source still get their tries");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void fortySimultaneousWrongPasswordsThroughTheLoginPageGetAtMostFiveAnswers() throws Exception {
        try (TestServer s = TestServer.start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "target", "target@example.org");
            String url;
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build()) {
                url = oauth2.getAuthorizationUrl(Identity.REDIRECT, "s", null);
            }
            List<LoginPage> pages = new ArrayList<>();
            List<Map<String, String>> forms = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                LoginPage page = new LoginPage();
                Map<String, String> form = new java.util.HashMap<>(LoginPage.hiddenFields(page.get(url).body()));
                form.put("username", person.username());
                form.put("password", "wrong-" + i);
                form.put("decision", "approve");
                pages.add(page);
                forms.add(form);
            }
            ExecutorService pool = Executors.newFixedThreadPool(40);
            try {
                List<Callable<Integer>> posts = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    posts.add(() -> pages.get(n).post(s.url() + "/oauth2/authorize", forms.get(n)).statusCode());
                }
                int wrong = 0;
                int locked = 0;
                for (Future<Integer> f : pool.invokeAll(posts)) {
                    if (f.get() == 401) wrong++;
                    if (f.get() == 429) locked++;
                }
                assertEquals(5, wrong, "five passwords were checked");
                assertEquals(35, locked, "the rest were refused before any check");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void linksAreNeverBuiltFromTheHostHeader() throws Exception {
        try (TestServer s = TestServer.start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "hosted", "hosted@example.org");
            TokenStore.Issued t = userToken(s, client, person, "files");
            java.net.URI base = java.net.URI.create(s.url());
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                String request = "POST /sts/token HTTP/1.1\r\nHost: attacker.example:9999\r\nAuthorization: Bearer " + t.accessToken()
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.contains("\"base_uri\":\"" + s.url() + "/oss/objects/"), answer);
                assertFalse(answer.contains("attacker.example"), answer);
            }
        }
    }
}
