package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.Signing;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.testing.MutableClock;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signed private-platform requests: what passes and every way a forged, stale or replayed one is refused. */
class PrivateSigningTest {
    static final MutableClock clock = new MutableClock();
    static TestServer server;
    static Identity.Client app;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        server = TestServer.builder().clock(clock).capabilities(ProbeCapability::new).start();
        app = Identity.app(server, "PARTNER_ONE");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static PrivateApi client(String key, String secret) {
        return PrivateApi.builder(key, secret).endpoint(server.url()).clock(clock).maxRetries(0).build();
    }

    /** A raw signed request, so that tests can change any part of it after signing. */
    static HttpRequest.Builder signed(String method, String pathAndQuery, String body, String secret, String timestamp, String nonce) {
        URI uri = URI.create(server.url() + pathAndQuery);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String canonical = Signing.canonical(method, uri.getRawPath(), uri.getRawQuery(), bytes, timestamp, nonce);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("X-Omix-App-Key", app.id()).header("X-Omix-Timestamp", timestamp).header("X-Omix-Nonce", nonce)
                .header("X-Omix-Signature", Signing.sign(secret.getBytes(StandardCharsets.UTF_8), canonical));
        if (!body.isEmpty()) b.header("Content-Type", "application/x-www-form-urlencoded");
        return b.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    static Model envelope(HttpRequest request) throws Exception {
        return Model.parse(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    static String now() {
        return String.valueOf(clock.instant().getEpochSecond());
    }

    @Test
    void theSdkSignsEveryRequestTransparently() {
        try (PrivateApi api = client(app.id(), app.secret())) {
            Model who = Answers.model(api.call(ApiRequest.get("/private/test/whoami").query("name", "张 三+&=x")));
            assertEquals("PRIVATE_APP", who.getString("kind"));
            assertEquals(app.id(), who.getString("app_key"));
            assertEquals("张 三+&=x", who.at("params.name"), "the query is signed in its canonical form");
            Model posted = Answers.model(api.call(ApiRequest.post("/private/test/whoami").form("name", "form body")));
            assertEquals("form body", posted.at("params.name"));
        }
    }

    @Test
    void aWrongSecretOrUnknownAppIsRefused() {
        try (PrivateApi wrong = client(app.id(), "pas_wrong"); PrivateApi unknown = client("paknosuchapp", app.secret())) {
            ApiException e = assertThrows(ApiException.class, () -> wrong.call(ApiRequest.get("/private/test/whoami")));
            assertEquals(40101, e.code());
            assertEquals("签名错误", e.msg());
            assertEquals(40101, assertThrows(ApiException.class, () -> unknown.call(ApiRequest.get("/private/test/whoami"))).code());
        }
    }

    @Test
    void aTamperedRequestIsRefused() throws Exception {
        String ts = now();
        HttpRequest original = signed("POST", "/private/test/whoami?name=a", "x=1", app.secret(), ts, "nonce-tamper-00001").build();
        assertEquals(0, envelope(original).getInt("code"));
        HttpRequest otherQuery = HttpRequest.newBuilder(URI.create(server.url() + "/private/test/whoami?name=b"))
                .headers(headers(original)).POST(HttpRequest.BodyPublishers.ofString("x=1")).build();
        assertEquals(40101, envelope(otherQuery).getInt("code"));
        HttpRequest otherBody = signed("POST", "/private/test/whoami?name=a", "x=1", app.secret(), ts, "nonce-tamper-00002").build();
        HttpRequest tamperedBody = HttpRequest.newBuilder(otherBody.uri()).headers(headers(otherBody))
                .POST(HttpRequest.BodyPublishers.ofString("x=2")).build();
        assertEquals(40101, envelope(tamperedBody).getInt("code"));
        HttpRequest noSignature = HttpRequest.newBuilder(URI.create(server.url() + "/private/test/whoami")).build();
        Model refused = envelope(noSignature);
        assertEquals(40101, refused.getInt("code"));
        assertTrue(refused.at("data.header").toString().contains("X-Omix-Signature"));
    }

    private static String[] headers(HttpRequest r) {
        return r.headers().map().entrySet().stream().filter(e -> !e.getKey().equalsIgnoreCase("content-length"))
                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue().get(0))).toArray(String[]::new);
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReplayedNonceIsRefusedEvenOnAnotherServerOfTheSameDatabase(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).clock(clock).capabilities(ProbeCapability::new).start()) {
            PrivateAppStore.Created a = new PrivateAppStore(s.server().platform()).create("Replay", "REPLAY_APP");
            URI uri = URI.create(s.url() + "/private/test/whoami");
            String ts = now();
            String canonical = Signing.canonical("GET", uri.getRawPath(), null, new byte[0], ts, "nonce-replay-000001");
            HttpRequest request = HttpRequest.newBuilder(uri).header("X-Omix-App-Key", a.app().appKey())
                    .header("X-Omix-Timestamp", ts).header("X-Omix-Nonce", "nonce-replay-000001")
                    .header("X-Omix-Signature", Signing.sign(a.appSecret().getBytes(StandardCharsets.UTF_8), canonical)).build();
            assertEquals(0, envelope(request).getInt("code"));
            Model replay = envelope(request);
            assertEquals(40103, replay.getInt("code"));
            assertEquals("重复的请求", replay.getString("msg"));

            // Concurrent requests record their nonces together: of four copies of one request sent at
            // once exactly one passes, and four others sent with them, each with its own nonce, all pass.
            List<HttpRequest> burst = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String nonce = i < 4 ? "nonce-burst-copy-0001" : "nonce-burst-own-000" + i;
                String c = Signing.canonical("GET", uri.getRawPath(), null, new byte[0], ts, nonce);
                burst.add(HttpRequest.newBuilder(uri).header("X-Omix-App-Key", a.app().appKey()).header("X-Omix-Timestamp", ts)
                        .header("X-Omix-Nonce", nonce).header("X-Omix-Signature", Signing.sign(a.appSecret().getBytes(StandardCharsets.UTF_8), c)).build());
            }
            List<Integer> codes = io.omix.server.testing.Concurrently.atOnce(burst.stream()
                    .map(r -> (java.util.concurrent.Callable<Integer>) () -> envelope(r).getInt("code")).toList());
            ReplayCodes.assertOneCopyPassed(codes, 4);
        }
    }

    /**
     * A write that committed but whose acknowledgement was lost (the connection dropped after the commit) is
     * never done twice: its nonce is in the write, so the answer is the refusal clients do not repeat (40103,
     * not a 500 that the SDK would retry with a new nonce), saying that a write holding it went through.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aWriteWhoseCommitAckWasLostIsNotRetried(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).clock(clock).capabilities(ProbeCapability::new).start()) {
            PrivateAppStore.Created a = new PrivateAppStore(s.server().platform()).create("Lost ack", "LOST_ACK_APP");
            try (PrivateApi api = PrivateApi.builder(a.app().appKey(), a.appSecret()).endpoint(s.url()).clock(clock).maxRetries(3).build()) {
                AuthenticationException refused = assertThrows(AuthenticationException.class,
                        () -> api.call(ApiRequest.post("/private/test/committed-then-lost")));
                assertEquals(40103, refused.code());
                assertTrue(refused.dataModel().getString("X-Omix-Nonce").startsWith("was recorded while this request failed"), refused.getMessage());
                assertTrue(!refused.getMessage().contains("connection dropped"), "the failure's detail stays in the log: " + refused.getMessage());
            }
            assertEquals(1L, s.server().platform().database().jdbc().queryOne("SELECT COUNT(*) FROM private_nonces WHERE app_key = ?",
                    rs -> rs.getLong(1), a.app().appKey()).orElseThrow(), "one attempt: the SDK did not send it again");
            assertEquals(List.of("done"), s.server().platform().database().jdbc().query("SELECT state FROM idempotency_keys WHERE owner = ?",
                    rs -> rs.getString(1), "app:" + a.app().appKey()), "the answer is kept under its Idempotency-Key: a repeat with the key gets it, not the write");
        }
    }

    /** A nonce outlives every server's acceptance of its timestamp, with a window to spare for servers whose clocks differ. */
    @Test
    void aNonceIsKeptTwoWindowsFromTheLaterOfItsTimestampAndTheServersTime() throws Exception {
        long t = clock.instant().getEpochSecond();
        assertEquals(0, envelope(signed("GET", "/private/test/whoami", "", app.secret(), String.valueOf(t + 299), "nonce-fast-clock-001").build()).getInt("code"));
        assertEquals(0, envelope(signed("GET", "/private/test/whoami", "", app.secret(), String.valueOf(t - 299), "nonce-slow-clock-001").build()).getInt("code"));
        var jdbc = server.server().platform().database().jdbc();
        java.util.function.Function<String, Long> expiry = nonce -> jdbc.queryOne("SELECT expires_at FROM private_nonces WHERE nonce = ?",
                rs -> rs.getObject(1, java.time.OffsetDateTime.class).toEpochSecond(), nonce).orElseThrow();
        assertEquals(t + 299 + 600, expiry.apply("nonce-fast-clock-001"), "a client clock running fast: from its timestamp");
        assertEquals(t + 600, expiry.apply("nonce-slow-clock-001"), "a slow one: from the server's time");
    }

    @Test
    void theOpenPlatformsNamespaceIsNoAppsToTake() {
        PrivateAppStore store = new PrivateAppStore(server.server().platform());
        assertEquals("namespace OPEN_PLATFORM is reserved for the open platform",
                assertThrows(IllegalArgumentException.class, () -> store.create("Open Platform", null)).getMessage(), "named after it");
        assertEquals("namespace OPEN_PLATFORM is reserved for the open platform",
                assertThrows(IllegalArgumentException.class, () -> store.create("Anything", "OPEN_PLATFORM")).getMessage(), "asked for by name");
    }

    /** An app made before the name was reserved, holding it and enabled again by hand: its signed requests are refused. */
    @Test
    void anAppHoldingTheOpenPlatformsNamespaceFromBeforeIsRefused() throws Exception {
        var platform = server.server().platform();
        String appKey = "pakheldbeforereserved01";
        String secret = "pas_held-before-the-reservation";
        platform.database().jdbc().update("INSERT INTO private_apps (app_key, name, namespace, secret_sealed, disabled, created_at)"
                + " VALUES (?, 'Old app', 'OPEN_PLATFORM', ?, FALSE, CURRENT_TIMESTAMP)", appKey, platform.masterKey().seal(secret, appKey));
        long t = clock.instant().getEpochSecond();
        Model refused = envelope(signed("GET", "/private/test/whoami", "", secret, String.valueOf(t), "nonce-open-platform-01")
                .setHeader("X-Omix-App-Key", appKey).build());
        assertEquals(40101, refused.getInt("code"));
    }

    @Test
    void staleOrFutureTimestampsAreRefused() throws Exception {
        long t = clock.instant().getEpochSecond();
        Model stale = envelope(signed("GET", "/private/test/whoami", "", app.secret(), String.valueOf(t - 301), "nonce-stale-0000001").build());
        assertEquals(40102, stale.getInt("code"));
        assertEquals("请求已过期", stale.getString("msg"));
        Model future = envelope(signed("GET", "/private/test/whoami", "", app.secret(), String.valueOf(t + 301), "nonce-future-000001").build());
        assertEquals(40102, future.getInt("code"));
        Model edge = envelope(signed("GET", "/private/test/whoami", "", app.secret(), String.valueOf(t - 299), "nonce-edge-00000001").build());
        assertEquals(0, edge.getInt("code"));
    }

    @Test
    void aClientWhoseClockIsOffIsRefusedClearly() {
        MutableClock behind = new MutableClock(clock.instant().minus(Duration.ofMinutes(10)));
        try (PrivateApi api = PrivateApi.builder(app.id(), app.secret()).endpoint(server.url()).clock(behind).maxRetries(0).build()) {
            ApiException e = assertThrows(ApiException.class, () -> api.call(ApiRequest.get("/private/test/whoami")));
            assertEquals(40102, e.code());
            assertEquals(clock.instant().getEpochSecond(), e.dataModel().getLong("server_time"));
        }
    }

    /** A leaked secret is replaced: the old one is refused at once, the new one signs, the app keeps its namespace. */
    @Test
    void aRotatedSecretIsRefusedAndItsReplacementSigns() {
        Identity.Client leaked = Identity.app(server, "PARTNER_LEAKED");
        String fresh = new PrivateAppStore(server.server().platform()).rotateSecret(leaked.id()).orElseThrow();
        try (PrivateApi old = client(leaked.id(), leaked.secret()); PrivateApi renewed = client(leaked.id(), fresh)) {
            assertEquals(40101, assertThrows(ApiException.class, () -> old.call(ApiRequest.get("/private/test/whoami"))).code());
            assertEquals(leaked.id(), Answers.model(renewed.call(ApiRequest.get("/private/test/whoami"))).getString("app_key"));
        }
        assertTrue(new PrivateAppStore(server.server().platform()).rotateSecret("paknosuchapp").isEmpty());
    }

    @Test
    void aDisabledAppIsRefused() {
        Identity.Client gone = Identity.app(server, "PARTNER_GONE");
        new PrivateAppStore(server.server().platform()).setDisabled(gone.id(), true);
        try (PrivateApi api = client(gone.id(), gone.secret())) {
            assertEquals(40101, assertThrows(ApiException.class, () -> api.call(ApiRequest.get("/private/test/whoami"))).code());
        }
    }

    @Test
    void datasetApiKeysAreCheckedWithTheirErrorShape() throws Exception {
        Identity.Client key = Identity.datasetKey(server);
        try (DatasetsApi api = DatasetsApi.builder(key.id(), key.secret()).serverUrl(server.url()).build();
             DatasetsApi wrong = DatasetsApi.builder(key.id(), "das_wrong").serverUrl(server.url()).build()) {
            assertEquals(key.id(), api.call(ApiRequest.get("/api/v2/test/whoami")).get("api_key").textValue());
            ApiException e = assertThrows(ApiException.class, () -> wrong.call(ApiRequest.get("/api/v2/test/whoami")));
            assertEquals(401, e.code());
            assertEquals(401, e.httpStatus());
        }
        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v2/test/whoami")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, bare.statusCode());
        Model body = Model.parse(bare.body());
        assertEquals(401, body.getInt("status_code"));
        assertTrue(body.getString("detail").contains("X-API-KEY"));
        assertTrue(body.getModel("extra").isEmpty());
    }
}
