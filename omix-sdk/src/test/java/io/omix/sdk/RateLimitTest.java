package io.omix.sdk;

import io.omix.server.Platform;
import io.omix.server.common.db.Database;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestDatabases;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fair use as an application meets it: its calls of a minute are counted over every server, every
 * answer says how many are left, and the call past the limit is 429 with Retry-After; an operator's
 * per-client limit and the per-person limit apply the same way. The clock stands still inside one
 * minute, so a minute turning over cannot reset the count mid-test. On H2 and PostgreSQL.
 */
class RateLimitTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Clock STILL = Clock.fixed(Instant.parse("2026-12-02T12:00:10Z"), ZoneOffset.UTC);

    static HttpResponse<String> get(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/samples")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String clientToken(Platform platform, String clientId) {
        return new TokenStore(platform).issue(TokenStore.newFamily(), clientId, null, OAuthClient.CLIENT_CREDENTIALS, "samples", null, false)
                .accessToken();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void callsPastTheLimitAreRefusedWithRetryAfterAndEveryAnswerSaysWhatIsLeft(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).clock(STILL).setting("ratelimit.per-client-per-minute", "100")
                .setting("ratelimit.per-user-per-minute", "30").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            String token = clientToken(platform, client.id());
            for (int i = 1; i <= 100; i++) {
                HttpResponse<String> r = get(s.url(), token);
                assertEquals(200, r.statusCode(), "call " + i + ": " + r.body());
                assertEquals("100", r.headers().firstValue("RateLimit-Limit").orElse(null));
                assertEquals(String.valueOf(100 - i), r.headers().firstValue("RateLimit-Remaining").orElse(null), "call " + i);
                assertEquals("50", r.headers().firstValue("RateLimit-Reset").orElse(null), "seconds to the minute's end");
            }
            HttpResponse<String> refused = get(s.url(), token);
            assertEquals(429, refused.statusCode());
            assertTrue(refused.body().startsWith("{\"code\":429,\"msg\":\"请求过于频繁\""), refused.body());
            assertEquals("50", refused.headers().firstValue("Retry-After").orElse(null));
            assertEquals("0", refused.headers().firstValue("RateLimit-Remaining").orElse(null));

            // The SDK honours Retry-After up to maxRetryAfter: a shorter maximum hands the refusal back as ApiException 429.
            try (Api api = Api.builder(token).endpoint(s.url()).maxRetryAfter(java.time.Duration.ofSeconds(1)).build()) {
                ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> api.getSamples(SampleQuery.all()));
                assertEquals(429, e.code());
                assertEquals(100, e.dataModel().getInt("limit_per_minute"));
            }

            // An operator's own limit for one client.
            Identity.Client small = Identity.confidentialClient(s);
            assertTrue(new ClientStore(platform).setRateLimit(small.id(), 5));
            String smallToken = clientToken(platform, small.id());
            for (int i = 0; i < 5; i++) assertEquals(200, get(s.url(), smallToken).statusCode());
            assertEquals(429, get(s.url(), smallToken).statusCode());

            // A person's calls through any application count against the person's own limit.
            Identity.Person person = Identity.user(s, "busy", "busy@example.org");
            Identity.Client other = Identity.confidentialClient(s);
            String personToken = Identity.userToken(s, other, person.userId(), "samples").accessToken();
            for (int i = 0; i < 30; i++) assertEquals(200, get(s.url(), personToken).statusCode(), "call " + i);
            HttpResponse<String> personal = get(s.url(), personToken);
            assertEquals(429, personal.statusCode());
            assertEquals("30", personal.headers().firstValue("RateLimit-Limit").orElse(null));
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoServersOnOneDatabaseHoldOneLimitBetweenThem(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'r');
        try (TestServer first = TestServer.builder().database(kind).clock(STILL).setting("ratelimit.per-client-per-minute", "500")
                .setting("security.master-key", key).start()) {
            String url = TestDatabases.H2.equals(kind) ? Database.embeddedUrl(first.dataDir()) : first.server().platform().config().dbUrl();
            try (TestServer second = TestServer.builder().database(kind).clock(STILL).setting("ratelimit.per-client-per-minute", "500")
                    .setting("db.url", url).setting("security.master-key", key).start()) {
                Platform platform = Identity.platform(first);
                Identity.Client client = Identity.confidentialClient(first);
                String token = clientToken(platform, client.id());
                int accepted = 0;
                int refusedInARow = 0;
                for (int i = 0; i < 700 && refusedInARow < 10; i++) {
                    HttpResponse<String> r = get((i % 2 == 0 ? first : second).url(), token);
                    if (r.statusCode() == 200) {
                        accepted++;
                        refusedInARow = 0;
                    } else {
                        assertEquals(429, r.statusCode(), r.body());
                        refusedInARow++;
                    }
                }
                assertTrue(accepted >= 450 && accepted <= 500, accepted + " calls accepted by two servers for a limit of 500 (within 10 %)");
            }
        }
    }

    /**
     * Refused credentials cost the server a lookup each and had no caller to count against: an address whose presented
     * credentials do not verify more than the limit in a minute (bad tokens, unknown dataset keys, unknown apps'
     * signatures, a client's wrong Basic credentials at the token endpoint, counted together) gets 429 with Retry-After
     * for every request presenting credentials, its good ones too, before they are checked, until the minute ends.
     * Requests presenting none are not counted nor refused (a web page can make its visitors' browsers send those, and
     * form-posted client secrets), and public endpoints still answer. On H2 and PostgreSQL.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anAddressWhoseCredentialsAreRefusedTooOftenIsRefusedBeforeTheyAreChecked(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock(Instant.parse("2026-12-02T12:00:10Z"));
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("ratelimit.auth-failures-per-address-per-minute", "6").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            String good = clientToken(platform, client.id());
            // Not guesses: no credential at all (what a web page's script sends from its visitor's browser), client
            // secrets posted in a form (a web page's form can post any).
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/samples")).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(none.body().startsWith("{\"code\":403,"), none.body());
                HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/access_token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + client.id() + "&client_secret=wrong")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(form.body().contains("invalid_client"), form.body());
            }
            // Nor a client's stale token: revoked (or expired), refused as before, but issued here, not guessed.
            String stale = clientToken(platform, client.id());
            new TokenStore(platform).revoke(io.omix.server.common.auth.Secrets.hash(stale));
            for (int i = 0; i < 10; i++) assertTrue(get(s.url(), stale).body().startsWith("{\"code\":403,"));
            assertEquals(200, get(s.url(), good).statusCode());

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get(s.url(), "not-a-token-" + i);
                assertTrue(r.body().startsWith("{\"code\":403,"), r.body());
            }
            HttpResponse<String> key = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/workspaces/1/projects/1/datasets"))
                    .header("X-API-KEY", "unknown").header("X-API-SECRET", "wrong").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, key.statusCode(), key.body());
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/private/webhooks")).header("X-Omix-App-Key", "unknown")
                        .header("X-Omix-Timestamp", String.valueOf(clock.millis() / 1000)).header("X-Omix-Nonce", "nonce-of-attempt-" + i)
                        .header("X-Omix-Signature", "00").build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(r.body().startsWith("{\"code\":40101,"), r.body());
            }
            String basic = java.util.Base64.getEncoder().encodeToString((client.id() + ":wrong").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> wrongClient = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token")).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrongClient.statusCode(), wrongClient.body());

            // Seven refused: the good token is now refused too, unchecked, until the minute ends; /ping and requests
            // presenting no credential answer as before.
            HttpResponse<String> refused = get(s.url(), good);
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("50", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.body().contains("\"limit_per_minute\":6"), refused.body());
            assertEquals(429, HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/workspaces/1/projects/1/datasets"))
                    .header("X-API-KEY", "unknown").header("X-API-SECRET", "wrong").build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(429, HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/oauth2/token")).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/ping")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/samples")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(none.body().startsWith("{\"code\":403,"), none.body());

            clock.advance(java.time.Duration.ofSeconds(50));
            assertEquals(200, get(s.url(), good).statusCode(), "a new minute");
        }
    }

    static HttpResponse<String> fetch(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A signed link is its grant's credential: each use (a file's download, a variant slice) is a call of the grant's person
     * and client, counted with their API calls, so that a leaked link fetched in a loop stops at the person's limit.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aLinkIsACallOfTheGrantItWasMadeUnder(String kind) throws Exception {
        // Still, but within a minute of the real time: uploads are signed with it.
        Clock still = Clock.fixed(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(10), ZoneOffset.UTC);
        try (TestServer s = TestServer.builder().database(kind).clock(still).setting("ratelimit.per-client-per-minute", "70")
                .setting("ratelimit.per-user-per-minute", "40").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            VariantsTest.importFixture(w, VariantsTest.fixture());
            Api owner = w.owner();
            String link = owner.getDownloadUrl(owner.upload("note.txt", "hello")).getString("url");
            HttpResponse<String> ticket = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/htsget/variants/" + w.sample()))
                    .header("Authorization", "Bearer " + owner.accessToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ticket.statusCode(), ticket.body());
            String slice = Model.parse(ticket.body()).getModel("htsget").getList("urls").models().get(0).getString("url");

            HttpResponse<String> first = fetch(link);
            assertEquals(200, first.statusCode(), first.body());
            assertEquals("hello", first.body());
            assertEquals("40", first.headers().firstValue("RateLimit-Limit").orElse(null), "the person's limit, the one closer to its end");
            int left = Integer.parseInt(first.headers().firstValue("RateLimit-Remaining").orElseThrow());
            assertTrue(left > 10 && left < 40, "the owner's API calls counted first: " + left);
            for (int i = 1; i <= left; i++) {
                HttpResponse<String> r = fetch(i % 2 == 0 ? link : slice);
                assertEquals(200, r.statusCode(), "use " + i + ": " + r.body());
                assertEquals(String.valueOf(left - i), r.headers().firstValue("RateLimit-Remaining").orElse(null), "use " + i);
            }
            HttpResponse<String> refused = fetch(link);
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("50", refused.headers().firstValue("Retry-After").orElse(null));
            HttpResponse<String> refusedSlice = fetch(slice);
            assertEquals(429, refusedSlice.statusCode());
            assertEquals("TooManyRequests", HtsgetTest.error(refusedSlice.body()));
            assertEquals("50", refusedSlice.headers().firstValue("Retry-After").orElse(null));
            // The links used the person's calls: their API calls wait for the next minute too.
            assertEquals(429, get(s.url(), owner.accessToken()).statusCode());
            // A link refused for its person is none of the application's calls: forty more leave its other users theirs.
            for (int i = 0; i < 40; i++) assertEquals(429, fetch(link).statusCode());
            // Another person's links are theirs to use.
            Api stranger = w.stranger();
            HttpResponse<String> theirs = fetch(stranger.getDownloadUrl(stranger.upload("mine.txt", "theirs")).getString("url"));
            assertEquals(200, theirs.statusCode(), theirs.body());
        }
    }

    /**
     * A link fetched when its grant's calls of the minute are used up (an export's archive, whose link came with the task's
     * result): the SDK fetches it again after Retry-After, within maxRetryAfter; with no retries it says 429.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theSdkFetchesALinkAgainAfterRetryAfter(String kind, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // A second before the minute's end (and within a minute of the real time: uploads are signed with it).
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock(
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(59));
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("ratelimit.per-user-per-minute", "20").start()) {
            Identity.Person person = Identity.user(s, "linker", "linker@example.org");
            Identity.Client client = Identity.confidentialClient(s);
            String token = Identity.userToken(s, client, person.userId(), "files").accessToken();
            try (Api api = Api.builder(token).endpoint(s.url()).build();
                 Api once = Api.builder(token).endpoint(s.url()).maxRetries(0).build()) {
                String name = api.upload("archive.txt", "the archive");
                String link = api.getDownloadUrl(name).getString("url");
                int uses = 0;
                while (fetch(link).statusCode() != 429) assertTrue(++uses <= 20, "the person's calls of this minute run out");
                TransportException refused = org.junit.jupiter.api.Assertions.assertThrows(TransportException.class,
                        () -> once.transfers().download(name, () -> link, dir.resolve("once.txt"), TransferListener.NONE));
                assertEquals(429, refused.httpStatus(), refused.getMessage());

                // The minute ends while the SDK waits its Retry-After (1 s and up to a quarter more; its first fetch, refused, comes
                // long before): the link is fetched again, and the file arrives.
                Thread turn = new Thread(() -> {
                    try {
                        Thread.sleep(700);
                    } catch (InterruptedException e) {
                        return;
                    }
                    clock.advance(java.time.Duration.ofSeconds(2));
                });
                turn.start();
                long started = System.nanoTime();
                api.transfers().download(name, () -> link, dir.resolve("later.txt"), TransferListener.NONE);
                turn.join();
                assertEquals("the archive", java.nio.file.Files.readString(dir.resolve("later.txt")));
                assertTrue(System.nanoTime() - started >= 900_000_000L, "fetched again after Retry-After, not at once");
            }
        }
    }
}
