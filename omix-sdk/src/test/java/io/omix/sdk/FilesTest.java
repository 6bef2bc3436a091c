package io.omix.sdk;

import io.micrometer.core.instrument.Timer;
import io.omix.sdk.internal.Signing;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files through the SDK: upload credentials, single and multipart uploads, resume, signed downloads. */
class FilesTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static TestServer server;
    static OAuth2 oauth2;
    static Api alice;
    static Api bob;
    static Api app;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        Identity.Client client = Identity.confidentialClient(server);
        oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(server.url()).build();
        alice = token(oauth2, Identity.user(server, "alice", "alice@example.org"), null).api();
        bob = token(oauth2, Identity.user(server, "bob", "bob@example.org"), null).api();
        app = oauth2.getCredentialsToken().api();
    }

    @AfterAll
    static void stop() {
        alice.close();
        bob.close();
        app.close();
        oauth2.close();
        server.close();
    }

    static AccessToken token(OAuth2 o, Identity.Person person, List<String> scopes) throws Exception {
        String url = o.getAuthorizationUrl(Identity.REDIRECT, "s", scopes);
        String code = LoginPage.redirectParams(new LoginPage().authorize(url, person.username(), person.password(), true)).get("code");
        return o.exchangeAuthorizationCode(code, Identity.REDIRECT);
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] download(Api api, String objectName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        api.download(objectName, out);
        return out.toByteArray();
    }

    static int code(Runnable call) {
        return assertThrows(ApiException.class, call::run).code();
    }

    /** A request signed with upload credentials, the way the SDK sends them, with any body and claimed SHA-256. */
    static HttpResponse<String> signed(Model token, String method, String path, byte[] body, String claimedSha, String contentType) throws Exception {
        return HTTP.send(signedRequest(token, method, path, body, claimedSha, contentType, Signing.nonce()), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest signedRequest(Model token, String method, String path, byte[] body, String claimedSha, String contentType, String nonce) {
        Model c = token.getModel("credentials");
        URI uri = URI.create(token.getString("endpoint") + path);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String signature = Signing.sign(c.getString("access_key_secret").getBytes(StandardCharsets.UTF_8),
                Signing.canonicalWithBodyHash(method, uri.getRawPath(), null, claimedSha, ts, nonce));
        return HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType)
                .header("X-Omix-Access-Key-Id", c.getString("access_key_id")).header("X-Omix-Security-Token", c.getString("security_token"))
                .header("X-Omix-Timestamp", ts).header("X-Omix-Nonce", nonce).header("X-Omix-Content-SHA256", claimedSha)
                .header("X-Omix-Signature", signature).build();
    }

    /**
     * A request made with upload credentials, sent again by whoever saw it (within its 300 s window), is refused
     * (42001 naming the nonce) and changes nothing: a copy of the first version's upload cannot put it back over the
     * second. A nonce that is not 16-64 URL-safe characters is refused before it is recorded.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRequestMadeWithUploadCredentialsCannotBeReplayed(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api api = token(o, Identity.user(s, "hal", "hal@example.org"), null).api()) {
                Model token = api.getUploadToken();
                String name = token.getString("destination") + "/notes.txt";
                String path = "/objects/" + FileTransfer.encodePath(name);
                byte[] first = "first version".getBytes(StandardCharsets.UTF_8);
                byte[] second = "second version".getBytes(StandardCharsets.UTF_8);
                HttpRequest firstUpload = signedRequest(token, "PUT", path, first, sha256(first), "application/octet-stream", Signing.nonce());
                assertEquals(0, envelopeCode(HTTP.send(firstUpload, HttpResponse.BodyHandlers.ofString())));
                assertEquals(0, envelopeCode(signedPut(token, name, second, sha256(second))));

                HttpResponse<String> replayed = HTTP.send(firstUpload, HttpResponse.BodyHandlers.ofString());
                assertEquals(42001, envelopeCode(replayed), replayed.body());
                assertTrue(replayed.body().contains("X-Omix-Nonce was used"), replayed.body());
                assertArrayEquals(second, download(api, name), "the replay changed nothing");

                HttpResponse<String> shortNonce = HTTP.send(signedRequest(token, "PUT", path, first, sha256(first), "application/octet-stream", "abc"),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(42001, envelopeCode(shortNonce), shortNonce.body());
                assertTrue(shortNonce.body().contains("X-Omix-Nonce must be"), shortNonce.body());
                assertArrayEquals(second, download(api, name));
            }
        }
    }

    /**
     * An upload's body is streamed to its handler, not read twice: under one Idempotency-Key, another body of the same
     * length and type is told apart by its declared SHA-256 (41001 naming the key), not answered with the first upload's
     * answer while its bytes are dropped; the same upload again is replayed.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anotherUploadUnderTheSameKeyIsRefusedNotReplayed(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api api = token(o, Identity.user(s, "ivy", "ivy@example.org"), null).api()) {
                Model token = api.getUploadToken();
                String name = token.getString("destination") + "/keyed.txt";
                String path = "/objects/" + FileTransfer.encodePath(name);
                byte[] first = "version one".getBytes(StandardCharsets.UTF_8);
                byte[] other = "version two".getBytes(StandardCharsets.UTF_8); // the same length
                assertEquals(0, envelopeCode(HTTP.send(keyedPut(token, path, first, "upload-key-1"), HttpResponse.BodyHandlers.ofString())));
                HttpResponse<String> again = HTTP.send(keyedPut(token, path, first, "upload-key-1"), HttpResponse.BodyHandlers.ofString());
                assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(null), again.body());
                HttpResponse<String> another = HTTP.send(keyedPut(token, path, other, "upload-key-1"), HttpResponse.BodyHandlers.ofString());
                assertEquals(41001, envelopeCode(another), another.body());
                assertTrue(another.body().contains("Idempotency-Key"), another.body());
                assertArrayEquals(first, download(api, name));
            }
        }
    }

    private static HttpRequest keyedPut(Model token, String path, byte[] body, String key) throws Exception {
        return HttpRequest.newBuilder(signedRequest(token, "PUT", path, body, sha256(body), "application/octet-stream", Signing.nonce()), (n, v) -> true)
                .header("Idempotency-Key", key).build();
    }

    static HttpResponse<String> signedPut(Model token, String objectName, byte[] body, String claimedSha) throws Exception {
        return signed(token, "PUT", "/objects/" + rawPath(objectName), body, claimedSha, "application/octet-stream");
    }

    /** An object name as a path, '.' and '..' segments kept (the SDK refuses them): what an attacker sends. */
    private static String rawPath(String objectName) {
        return java.util.Arrays.stream(objectName.split("/", -1)).map(p -> java.net.URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(java.util.stream.Collectors.joining("/"));
    }

    static HttpResponse<String> signedJson(Model token, String method, String path, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return signed(token, method, path, body, sha256(body), "application/json");
    }

    static int envelopeCode(HttpResponse<String> response) {
        return Model.parse(response.body()).getInt("code");
    }

    /**
     * One owner's files and unfinished uploads are at most files.max-objects-per-owner, however small (an empty file is a
     * file of the object store all the same): beyond, 41401 naming the setting; replacing one of them is not one more.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOwnerHoldsAtMostSoManyFiles(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("files.max-objects-per-owner", "2").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api fay = token(o, Identity.user(s, "fay", "fay@example.org"), null).api()) {
                Model token = fay.getUploadToken();
                UploadOptions with = UploadOptions.builder().credentials(token).build();
                fay.upload("one.bin", new ByteArrayInputStream(new byte[0]), with);
                fay.upload("two.bin", new ByteArrayInputStream(new byte[0]), with);
                ApiException full = assertThrows(ApiException.class, () -> fay.upload("three.bin", new ByteArrayInputStream(new byte[0]), with));
                assertEquals(41401, full.code());
                assertTrue(full.dataModel().toString().contains("files.max-objects-per-owner"), full.dataModel().toString());
                fay.upload("two.bin", new ByteArrayInputStream(randomBytes(10, 5)), with);   // replaced: not one more
                HttpResponse<String> multipart = signedJson(token, "POST", "/uploads",
                        "{\"object_name\":\"" + token.getString("destination") + "/four.bin\",\"size\":10,\"part_size\":1024}");
                assertEquals(41401, envelopeCode(multipart), multipart.body());
            }
        }
    }

    /**
     * One owner's files and unfinished uploads hold at most files.max-bytes-per-owner: an upload beyond it is refused
     * before anything is stored (42005 naming the room left), a replaced object of the same name is not counted, and
     * another owner is not held back.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOwnersFilesStayWithinTheirRoom(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("files.max-bytes-per-owner", "100000").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api dana = token(o, Identity.user(s, "dana", "dana@example.org"), null).api();
                 Api erin = token(o, Identity.user(s, "erin", "erin@example.org"), null).api()) {
                Model token = dana.getUploadToken();
                UploadOptions with = UploadOptions.builder().credentials(token).build();
                dana.upload("first.bin", new ByteArrayInputStream(randomBytes(60_000, 1)), with);
                ApiException full = assertThrows(ApiException.class,
                        () -> dana.upload("second.bin", new ByteArrayInputStream(randomBytes(50_000, 2)), with));
                assertEquals(42005, full.code());
                assertTrue(full.dataModel().toString().contains("at most 40000 bytes"), full.dataModel().toString());
                String again = dana.upload("first.bin", new ByteArrayInputStream(randomBytes(90_000, 3)), with);
                assertEquals(90_000, download(dana, again).length, "the object it replaces is not counted");

                String name = token.getString("destination") + "/big.bin";
                HttpResponse<String> multipart = signedJson(token, "POST", "/uploads",
                        "{\"object_name\":\"" + name + "\",\"size\":20000,\"part_size\":10000}");
                assertEquals(42005, envelopeCode(multipart), multipart.body());
                HttpResponse<String> fits = signedJson(token, "POST", "/uploads",
                        "{\"object_name\":\"" + name + "\",\"size\":10000,\"part_size\":5000}");
                assertEquals(0, envelopeCode(fits), fits.body());
                HttpResponse<String> afterIt = signedJson(token, "POST", "/uploads",
                        "{\"object_name\":\"" + token.getString("destination") + "/more.bin\",\"size\":1,\"part_size\":1024}");
                assertEquals(42005, envelopeCode(afterIt), "an unfinished upload holds its room");

                assertTrue(erin.upload("own.bin", new ByteArrayInputStream(randomBytes(90_000, 4)),
                        UploadOptions.builder().credentials(erin.getUploadToken()).build()).endsWith("/own.bin"), "another owner has room of their own");
            }
        }
    }

    /** {@link #signedSlowPut} on another thread: the answer to come. */
    static java.util.concurrent.CompletableFuture<HttpResponse<String>> slowPutAsync(Model token, String objectName, byte[] body, long pauseMillis) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return signedSlowPut(token, objectName, body, pauseMillis);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A signed PUT whose body arrives in two halves, {@code pauseMillis} apart (a slow client's upload). */
    static HttpResponse<String> signedSlowPut(Model token, String objectName, byte[] body, long pauseMillis) throws Exception {
        Model c = token.getModel("credentials");
        URI uri = URI.create(token.getString("endpoint") + "/objects/" + FileTransfer.encodePath(objectName));
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String nonce = Signing.nonce();
        String sha = sha256(body);
        String signature = Signing.sign(c.getString("access_key_secret").getBytes(StandardCharsets.UTF_8),
                Signing.canonicalWithBodyHash("PUT", uri.getRawPath(), null, sha, ts, nonce));
        java.util.function.Supplier<java.io.InputStream> slow = () -> new java.io.SequenceInputStream(
                new ByteArrayInputStream(body, 0, body.length / 2), new java.io.InputStream() {
                    private java.io.InputStream rest;

                    @Override
                    public int read() throws java.io.IOException {
                        if (rest == null) {
                            try {
                                Thread.sleep(pauseMillis);
                            } catch (InterruptedException e) {
                                throw new java.io.InterruptedIOException();
                            }
                            rest = new ByteArrayInputStream(body, body.length / 2, body.length - body.length / 2);
                        }
                        return rest.read();
                    }
                });
        return HTTP.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofInputStream(slow))
                .header("Content-Type", "application/octet-stream")
                .header("X-Omix-Access-Key-Id", c.getString("access_key_id")).header("X-Omix-Security-Token", c.getString("security_token"))
                .header("X-Omix-Timestamp", ts).header("X-Omix-Nonce", nonce).header("X-Omix-Content-SHA256", sha)
                .header("X-Omix-Signature", signature).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Two uploads of one owner at once, each fitting the room left on its own but not together: the room is checked
     * again as each is recorded, with the owner's lock held, so one is refused (42005) and its bytes go.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoUploadsAtOnceCannotBothTakeTheLastRoom(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("files.max-bytes-per-owner", "100000").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api fay = token(o, Identity.user(s, "fay", "fay@example.org"), null).api()) {
                Model token = fay.getUploadToken();
                String destination = token.getString("destination");
                java.util.concurrent.CompletableFuture<HttpResponse<String>> first = slowPutAsync(token, destination + "/one.bin", randomBytes(60_000, 7), 1500);
                java.util.concurrent.CompletableFuture<HttpResponse<String>> second = slowPutAsync(token, destination + "/two.bin", randomBytes(60_000, 8), 1500);
                List<Integer> codes = new java.util.ArrayList<>(List.of(envelopeCode(first.get(60, java.util.concurrent.TimeUnit.SECONDS)),
                        envelopeCode(second.get(60, java.util.concurrent.TimeUnit.SECONDS))));
                java.util.Collections.sort(codes);
                assertEquals(List.of(0, 42005), codes, "one stored, the other refused");
                long held = Identity.platform(s).database().jdbc().queryOne("SELECT COALESCE(SUM(size_bytes), 0) FROM file_objects WHERE owner LIKE 'user:%'",
                        rs -> rs.getLong(1)).orElseThrow();
                assertEquals(60_000L, held, "the owner holds what their room allows");
            }
        }
    }

    /**
     * An account erased while one of its uploads is on its way: the upload is refused as it would be recorded (42001),
     * and nothing of it stays (no record, no bytes, no quota lock naming the person).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anUploadUnderWayWhenItsOwnerIsErasedLeavesNothing(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            Identity.Person gil = Identity.user(s, "gil", "gil@example.org");
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api api = token(o, gil, null).api()) {
                Model token = api.getUploadToken();
                String name = token.getString("destination") + "/late.bin";
                java.util.concurrent.CompletableFuture<HttpResponse<String>> upload = slowPutAsync(token, name, randomBytes(60_000, 9), 2000);
                Thread.sleep(700);
                var platform = Identity.platform(s);
                assertTrue(new io.omix.server.privacy.Erasure(platform).eraseUser(gil.userId()).isPresent());
                assertEquals(42001, envelopeCode(upload.get(60, java.util.concurrent.TimeUnit.SECONDS)), "refused as it would be recorded");
                var jdbc = platform.database().jdbc();
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM file_objects WHERE owner = ?", rs -> rs.getLong(1), "user:" + gil.userId()).orElseThrow());
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM owner_locks WHERE owner = ?", rs -> rs.getLong(1), "user:" + gil.userId()).orElseThrow());
                assertThrows(java.io.IOException.class, () -> platform.objects().open(name).close(), "its bytes are gone");
                assertEquals(List.of(), storedKeys(platform), "no bytes of the upload are left in the store, under any key");
            }
        }
    }

    /** Where the local object store keeps a recorded file's bytes (under the key its row names). */
    static Path storedFile(TestServer s, String objectName) {
        var platform = Identity.platform(s);
        String key = platform.database().jdbc().queryOne("SELECT " + io.omix.server.files.FileStore.KEY + " FROM file_objects WHERE object_name = ?",
                rs -> rs.getString(1), objectName).orElseThrow();
        return platform.config().objectsDir().resolve("objects").resolve(key);
    }

    /** Every key the platform's object store holds (bytes of uploads, under keys of their own). */
    static List<String> storedKeys(io.omix.server.Platform platform) throws Exception {
        List<String> keys = new java.util.ArrayList<>();
        platform.objects().forEachObjectWrittenBefore(Instant.now().plusSeconds(60), keys::add);
        return keys;
    }

    /**
     * A file replaced by an upload that is refused as it is recorded (its credentials revoked while its bytes travelled)
     * is left as it was: its bytes are never touched by the refused upload, which leaves nothing. Before, the refused
     * upload's bytes had already taken the name's place, and went with the earlier file's record.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReplacementRefusedAsItIsRecordedLeavesTheEarlierFileAsItWas(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api hal = token(o, Identity.user(s, "hal", "hal@example.org"), null).api()) {
                Model token = hal.getUploadToken();
                String name = token.getString("destination") + "/kept.bin";
                byte[] first = randomBytes(40_000, 21);
                assertEquals(0, envelopeCode(signedPut(token, name, first, sha256(first))));
                java.util.concurrent.CompletableFuture<HttpResponse<String>> replacing = slowPutAsync(token, name, randomBytes(60_000, 22), 2000);
                Thread.sleep(700);
                hal.revokeUploadToken(token.at("credentials.access_key_id").toString());
                assertEquals(42001, envelopeCode(replacing.get(60, java.util.concurrent.TimeUnit.SECONDS)), "refused as it would be recorded");
                assertArrayEquals(first, download(hal, name), "the earlier file, whole, with its own checksum");
                assertEquals(1, storedKeys(Identity.platform(s)).size(), "the refused upload's bytes are gone");
            }
        }
    }

    /**
     * An upload on its way when the person revokes the application's grant records nothing (42001) and leaves nothing:
     * the grant behind the credentials is checked again, and held, as the upload is recorded. Before, a write
     * authenticated before the revocation was recorded after it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anUploadUnderWayWhenItsGrantIsRevokedRecordsNothing(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            Identity.Person jo = Identity.user(s, "joan", "joan@example.org");
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api api = token(o, jo, null).api()) {
                Model token = api.getUploadToken();
                String name = token.getString("destination") + "/after-revocation.bin";
                java.util.concurrent.CompletableFuture<HttpResponse<String>> upload = slowPutAsync(token, name, randomBytes(60_000, 41), 2000);
                Thread.sleep(700);
                var platform = Identity.platform(s);
                assertTrue(new io.omix.server.oauth.ConsentStore(platform).revoke(jo.userId(), c.id()));
                assertEquals(42001, envelopeCode(upload.get(60, java.util.concurrent.TimeUnit.SECONDS)), "refused as it would be recorded");
                assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM file_objects WHERE owner = ?", rs -> rs.getLong(1),
                        "user:" + jo.userId()).orElseThrow());
                assertEquals(List.of(), storedKeys(platform), "and its bytes went");
            }
        }
    }

    /**
     * Two uploads of one name at once, with different bytes: both are answered, the file is one of them, and its record
     * names its bytes (the download checks them against the recorded SHA-256), with nothing of the other left.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoUploadsOfOneNameAtOnceLeaveAFileWhoseRecordMatchesItsBytes(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api ivy = token(o, Identity.user(s, "ivy", "ivy@example.org"), null).api()) {
                Model token = ivy.getUploadToken();
                String name = token.getString("destination") + "/raced.bin";
                byte[] one = randomBytes(50_000, 31);
                byte[] two = randomBytes(50_000, 32);
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> puts = new java.util.ArrayList<>();
                for (byte[] body : List.of(one, two)) {
                    puts.add(slowPutAsync(token, name, body, 1000));
                }
                for (var put : puts) assertEquals(0, envelopeCode(put.get(60, java.util.concurrent.TimeUnit.SECONDS)));
                byte[] back = download(ivy, name);
                assertTrue(java.util.Arrays.equals(back, one) || java.util.Arrays.equals(back, two), "one upload's bytes, whole");
                assertEquals(1, storedKeys(Identity.platform(s)).size(), "the other upload's bytes are gone");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyKindOfSourceUploadsAndDownloadsByteForByte(String kind, @TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api api = token(o, Identity.user(s, "carol", "carol@example.org"), null).api()) {
                Model token = api.getUploadToken();
                String destination = token.getString("destination");
                assertTrue(destination.matches("DUS-\\d{11}-[A-Za-z0-9]{40}/\\d{8}TZ-[0-9a-f]{32}"), destination);
                assertTrue(token.getString("base_uri").endsWith(destination));
                assertEquals("omix", token.getString("bucket"));
                assertTrue(token.at("credentials.access_key_id").toString().startsWith("STS."));
                assertTrue(Instant.parse(token.at("credentials.expiration").toString()).isAfter(Instant.now().plusSeconds(3000)));

                String text = api.upload("demo.txt", "file content is here");
                assertTrue(text.endsWith("/demo.txt"));
                assertEquals("file content is here", new String(download(api, text), StandardCharsets.UTF_8));
                byte[] bytes = randomBytes(70_000, 1);
                assertArrayEquals(bytes, download(api, api.upload("bytes.bin", bytes)));
                assertArrayEquals(bytes, download(api, api.upload("stream.bin", new ByteArrayInputStream(bytes))));
                Path file = dir.resolve("名字 with space.bin");
                Files.write(file, bytes);
                String fromFile = api.upload(file.getFileName().toString(), file);
                assertArrayEquals(bytes, download(api, fromFile));
                Path target = dir.resolve("back.bin");
                assertEquals(bytes.length, api.download(fromFile, target));
                assertArrayEquals(bytes, Files.readAllBytes(target));

                Model url = api.getDownloadUrl(fromFile);
                long expires = Long.parseLong(url.getString("expires"));
                assertTrue(Math.abs(expires - (Instant.now().getEpochSecond() + 600)) < 30, "600 s by default");
            }
        }
    }

    @Test
    void signedUrlsServeRangesAndRefuseTamperingAndExpiry() throws Exception {
        String name = alice.upload("range.txt", "0123456789abcdef");
        String url = alice.getDownloadUrl(name).getString("url");
        HttpResponse<String> part = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=4-9").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(206, part.statusCode());
        assertEquals("456789", part.body());
        HttpResponse<String> whole = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, whole.statusCode());
        assertEquals("16", whole.headers().firstValue("Content-Length").orElse(""));
        assertTrue(whole.headers().firstValue("Content-Type").orElse("").startsWith("application/octet-stream"), "never served as a page");
        assertEquals("nosniff", whole.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(whole.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
        assertEquals(sha256("0123456789abcdef".getBytes(StandardCharsets.UTF_8)), whole.headers().firstValue("X-Omix-Content-SHA256").orElse(""));

        // A client that accepts gzip (browsers, igv.js, curl --compressed) gets the bytes as announced, never a compressed
        // body under the plain length (a broken download).
        byte[] big = randomBytes(100_000, 17);
        String bigUrl = alice.getDownloadUrl(alice.upload("gzip.bin", big)).getString("url");
        HttpResponse<byte[]> gz = HTTP.send(HttpRequest.newBuilder(URI.create(bigUrl)).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, gz.statusCode());
        assertTrue(gz.headers().firstValue("Content-Encoding").isEmpty(), gz.headers().map().toString());
        assertArrayEquals(big, gz.body());

        String tamperedSignature = url.substring(0, url.length() - 2) + (url.endsWith("AA") ? "BB" : "AA");
        String laterExpiry = url.replaceAll("Expires=(\\d+)", "Expires=9$1");
        String otherObject = url.replace("range.txt", "other.txt");
        for (String bad : List.of(tamperedSignature, laterExpiry, otherObject, url.substring(0, url.indexOf('?')))) {
            assertEquals(403, HTTP.send(HttpRequest.newBuilder(URI.create(bad)).build(), HttpResponse.BodyHandlers.ofString()).statusCode(), bad);
        }
        String shortLived = alice.getDownloadUrl(name, "domestic", 1).getString("url");
        Thread.sleep(2100);
        HttpResponse<String> expired = HTTP.send(HttpRequest.newBuilder(URI.create(shortLived)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, expired.statusCode());
        assertTrue(expired.body().contains("expired"), expired.body());
        assertEquals(41001, code(() -> alice.getDownloadUrl(name, "mars", null)));
        assertEquals(41001, code(() -> alice.getDownloadUrl("../etc/passwd")));
    }

    @Test
    void onlyTheOwnerSignsAnObject() {
        String name = alice.upload("mine.txt", "alice's");
        assertEquals(42007, code(() -> bob.getDownloadUrl(name)));
        assertEquals(42007, code(() -> app.getDownloadUrl(name)), "the client's own token is not the user");
        assertEquals(42007, code(() -> alice.getDownloadUrl(name + ".missing")));
        String apps = app.upload("app.txt", "the app's");
        assertEquals("the app's", new String(download(app, apps), StandardCharsets.UTF_8));
        assertEquals(42007, code(() -> alice.getDownloadUrl(apps)));
    }

    /**
     * A person deletes one of their files: nobody else can (another person, the application's own token: 42007, the file
     * untouched); from then on its link answers 404, signing or deleting it again is 42007, it is off the list, its
     * bytes are gone from the object store, and it no longer counts against the quota, so a new file fits where the
     * quota was full. On H2 and PostgreSQL.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOwnerDeletesAFileAndEverythingThatNamedItEnds(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("files.max-objects-per-owner", "1").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api ida = token(o, Identity.user(s, "ida", "ida@example.org"), null).api();
                 Api jon = token(o, Identity.user(s, "jon", "jon@example.org"), null).api();
                 Api own = o.getCredentialsToken().api()) {
                io.omix.server.files.ObjectStore objects = Identity.platform(s).objects();
                String name = ida.upload("diary.txt", "ida's diary");
                String link = ida.getDownloadUrl(name).getString("url");
                assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                assertEquals(41401, code(() -> ida.upload("second.txt", "no room")), "the quota holds one file");

                assertEquals(42007, code(() -> jon.deleteObject(name)), "another person's");
                assertEquals(42007, code(() -> own.deleteObject(name)), "the application's own token is not the person");
                assertEquals("ida's diary", new String(download(ida, name), StandardCharsets.UTF_8), "untouched");
                assertEquals(41001, code(() -> ida.deleteObject("../" + name)));

                String drs = "/ga4gh/drs/v1/objects/" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(name.getBytes(StandardCharsets.UTF_8));
                assertEquals(200, DrsTest.get(s, drs, ida.accessToken()).status(), "its DRS object");

                java.util.Set<String> before = keys(objects);
                Model deleted = ida.deleteObject(name);
                assertEquals(name, deleted.getString("object_name"));
                assertTrue(deleted.getBoolean("deleted"));
                assertEquals(404, HTTP.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                        "the link made before");
                assertEquals(42007, code(() -> ida.getDownloadUrl(name)));
                assertEquals(42007, code(() -> ida.deleteObject(name)), "deleted once");
                assertEquals(404, DrsTest.get(s, drs, ida.accessToken()).status(), "its DRS object is gone");
                java.util.Set<String> after = keys(objects);
                assertEquals(before.size() - 1, after.size(), "its bytes are gone: " + before + " -> " + after);

                String next = ida.upload("second.txt", "room again");
                assertEquals("room again", new String(download(ida, next), StandardCharsets.UTF_8));
                ida.files().delete(next);
                assertEquals(42007, code(() -> ida.getDownloadUrl(next)));
            }
        }
    }

    /**
     * Each upload body is staged up to the room its owner has left before the quota is checked again, so one owner sends
     * a server at most eight at once (objects and parts): here eight wait for the owner's lock, which the test holds,
     * after their bytes are in; a ninth is refused at once with 429 and Retry-After; once the eight are recorded, the
     * owner uploads again. On H2 and PostgreSQL.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOwnerSendsAServerEightUploadBodiesAtOnce(String kind) throws Exception {
        // Connections enough for eight uploads waiting on the lock with one each, and the rest.
        try (TestServer s = TestServer.builder().database(kind).setting("db.pool-size", "24").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api kim = token(o, Identity.user(s, "kim", "kim@example.org"), null).api()) {
                String first = kim.upload("first.txt", "makes the owner's lock row");
                String owner = s.server().platform().database().jdbc()
                        .queryOne("SELECT owner FROM file_objects WHERE object_name = ?", rs -> rs.getString(1), first).orElseThrow();
                Model token = kim.getUploadToken();
                String destination = token.getString("destination");
                byte[] body = "x".getBytes(StandardCharsets.UTF_8);
                String sha = sha256(body);
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
                HttpResponse<String> refused;
                try (java.sql.Connection lock = s.server().platform().database().dataSource().getConnection()) {
                    lock.setAutoCommit(false);
                    io.omix.server.common.db.Jdbc.query(lock, "SELECT owner FROM owner_locks WHERE owner = ? FOR UPDATE", rs -> 1, owner);
                    for (int i = 0; i < 9; i++) {
                        sent.add(HTTP.sendAsync(signedRequest(token, "PUT", "/objects/" + rawPath(destination + "/held-" + i + ".txt"), body, sha,
                                "application/octet-stream", Signing.nonce()), HttpResponse.BodyHandlers.ofString()));
                    }
                    refused = (HttpResponse<String>) java.util.concurrent.CompletableFuture.anyOf(sent.toArray(new java.util.concurrent.CompletableFuture[0]))
                            .get(30, java.util.concurrent.TimeUnit.SECONDS);
                    Thread.sleep(200);
                    assertEquals(8, sent.stream().filter(f -> !f.isDone()).count(), () -> "eight bodies in, waiting to be recorded: "
                            + sent.stream().filter(java.util.concurrent.CompletableFuture::isDone).map(f -> f.join().statusCode() + " " + f.join().body()).toList());
                    lock.rollback();
                }
                assertEquals(429, refused.statusCode(), refused.body());
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
                assertTrue(refused.body().contains("8 at a time"), refused.body());
                for (var answer : sent) {
                    if (answer.getNow(null) != refused) assertEquals(0, envelopeCode(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)));
                }
                assertEquals("again", new String(download(kim, kim.upload("again.txt", "again")), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Two clients of one person upload at once: one client sends no more than eight bodies at a time (its 16 threads
     * wait for each other), and here its eight parts are held on their way to being recorded (the test holds the
     * upload's row), so the other client's 8 MiB file is refused with 429 before its body is sent (Expect: 100-continue),
     * waits for Retry-After and goes through once the parts are recorded; both files arrive whole. On H2 and PostgreSQL.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoClientsOfOnePersonShareItsUploadTurnsAndBothArriveWhole(String kind, @TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("db.pool-size", "24").start()) {
            Identity.Client c = Identity.confidentialClient(s);
            Identity.Person lea = Identity.user(s, "lea", "lea@example.org");
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build();
                 Api phone = token(o, lea, null).api();
                 Api laptop = token(o, lea, null).api()) {
                byte[] parts = randomBytes(16 * 1048576, 21);
                byte[] single = randomBytes(8 * 1048576, 22);
                Path partsFile = Files.write(dir.resolve("parts.bin"), parts);
                Path singleFile = Files.write(dir.resolve("single.bin"), single);
                long refusedBefore = refused(s, "/oss/objects/<object_name>");
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
                try (java.sql.Connection lock = s.server().platform().database().dataSource().getConnection()) {
                    java.util.concurrent.Future<String> first = pool.submit(() -> phone.upload("parts.bin", partsFile,
                            UploadOptions.builder().multipartThreshold(1048576).partSize(1048576).threads(16).build()));
                    String uploadId = null;
                    for (long until = System.nanoTime() + 20_000_000_000L; uploadId == null && System.nanoTime() < until; Thread.sleep(2)) {
                        uploadId = s.server().platform().database().jdbc().queryOne("SELECT upload_id FROM multipart_uploads WHERE object_name LIKE ?",
                                rs -> rs.getString(1), "%/parts.bin").orElse(null);
                    }
                    assertTrue(uploadId != null, "the multipart upload began");
                    lock.setAutoCommit(false);
                    io.omix.server.common.db.Jdbc.query(lock, "SELECT 1 FROM multipart_uploads WHERE upload_id = ? FOR UPDATE", rs -> 1, uploadId);
                    Thread.sleep(500); // the first client's eight bodies in, waiting for the row
                    java.util.concurrent.Future<String> second = pool.submit(() -> laptop.upload("single.bin", singleFile,
                            UploadOptions.builder().multipartThreshold(64L << 20).build()));
                    for (long until = System.nanoTime() + 20_000_000_000L; refused(s, "/oss/objects/<object_name>") == refusedBefore && System.nanoTime() < until; ) {
                        Thread.sleep(10);
                    }
                    assertTrue(refused(s, "/oss/objects/<object_name>") > refusedBefore, "the second client's body was refused while eight were under way");
                    assertFalse(second.isDone(), "and it waits for its turn");
                    lock.rollback();
                    assertArrayEquals(parts, download(phone, first.get(60, java.util.concurrent.TimeUnit.SECONDS)));
                    assertArrayEquals(single, download(laptop, second.get(60, java.util.concurrent.TimeUnit.SECONDS)));
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    /** Requests of {@code route} (a PUT) the server answered 429. */
    static long refused(TestServer s, String route) {
        return s.server().platform().metrics().find("omix.http.requests").tag("method", "PUT").tag("status", "429")
                .tag("route", route).timers().stream().mapToLong(Timer::count).sum();
    }

    private static java.util.Set<String> keys(io.omix.server.files.ObjectStore objects) throws Exception {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        objects.forEachObjectWrittenBefore(Instant.now().plusSeconds(60), keys::add);
        return keys;
    }

    @Test
    void credentialsReachOnlyFilesDirectlyUnderTheirDestination() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> alice.upload("sub/dir.txt", "x"), "refused before sending, as on the original");
        Model token = alice.getUploadToken();
        String destination = token.getString("destination");
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        String sha = sha256(body);
        assertEquals(0, envelopeCode(signedPut(token, destination + "/ok.txt", body, sha)));
        assertEquals(42002, envelopeCode(signedPut(token, destination + "/sub/deeper.txt", body, sha)));
        assertEquals(42002, envelopeCode(signedPut(token, bob.getUploadToken().getString("destination") + "/theirs.txt", body, sha)));
        assertEquals(42002, envelopeCode(signedPut(token, "elsewhere/x.txt", body, sha)));
        assertEquals(41001, envelopeCode(signedPut(token, destination + "/../x.txt", body, sha)));
        // 200 characters, 400 bytes: more than a file system's file name holds (restoring an archive writes files by name).
        assertEquals(41001, envelopeCode(signedPut(token, destination + "/" + "é".repeat(200), body, sha)));
        assertEquals(0, envelopeCode(signedPut(token, destination + "/" + "é".repeat(127), body, sha)), "254 bytes");

        HttpResponse<String> lying = signedPut(token, destination + "/corrupt.txt", body, sha256("y".getBytes(StandardCharsets.UTF_8)));
        assertEquals(42003, envelopeCode(lying));
        assertEquals(42007, code(() -> alice.getDownloadUrl(destination + "/corrupt.txt")), "a failed upload leaves no object");

        Model forged = Model.parse(token.dumps().replace(token.at("credentials.security_token").toString(), "forged-token"));
        assertEquals(42001, envelopeCode(signedPut(forged, destination + "/x.txt", body, sha)));
        alice.revokeUploadToken(token.at("credentials.access_key_id").toString());
        assertEquals(42001, envelopeCode(signedPut(token, destination + "/after-revoke.txt", body, sha)));
        assertEquals(41001, code(() -> bob.revokeUploadToken(token.at("credentials.access_key_id").toString())));
    }

    @Test
    void tokensWithoutTheFilesScopeAreRefused() throws Exception {
        try (Api profileOnly = token(oauth2, Identity.user(server, "dora", "d@example.org"), List.of("profile")).api()) {
            assertEquals(401, code(profileOnly::getUploadToken));
        }
    }

    static long partRequests() {
        return server.server().platform().metrics().find("omix.http.requests").tag("method", "PUT")
                .tag("route", "/oss/uploads/{upload_id}/parts/{part_number}").timers().stream().mapToLong(Timer::count).sum();
    }

    @Test
    void aMultipartUploadCutOffHalfWayResumesWithOnlyTheMissingParts(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(1024 * 1024 + 123, 7);
        Path file = dir.resolve("big.bin");
        Files.write(file, content);
        int parts = (content.length + 65535) / 65536; // 17
        try (Api once = Api.builder(alice.accessToken()).endpoint(server.url()).maxRetries(0).build()) {
            UploadOptions cutOff = UploadOptions.builder().multipartThreshold(256 * 1024).partSize(64 * 1024).threads(4)
                    .listener((done, total) -> {
                        if (done > total / 2) throw new UncheckedIOException(new IOException("connection killed at 50 %"));
                    }).build();
            assertThrows(RuntimeException.class, () -> once.upload("big.bin", file, cutOff));
            Thread.sleep(1000); // parts already in flight on other threads finish or fail
            long held = server.server().platform().database().jdbc().queryOne("SELECT COUNT(*) FROM upload_parts p JOIN multipart_uploads u"
                    + " ON p.upload_id = u.upload_id WHERE u.object_name LIKE '%/big.bin'", rs -> rs.getLong(1)).orElseThrow();
            assertTrue(held > 0 && held < parts, "the server holds some parts: " + held);

            long[] progress = new long[2];
            UploadOptions resume = UploadOptions.builder().multipartThreshold(256 * 1024).partSize(64 * 1024).threads(4)
                    .listener((done, total) -> {
                        progress[0] = done;
                        progress[1] = total;
                    }).build();
            long beforeResume = partRequests();
            String name = once.upload("big.bin", file, resume);
            long resent = partRequests() - beforeResume;
            assertEquals(parts - held, resent, "only the parts the server lacked were sent");
            assertEquals(content.length, progress[0]);
            assertEquals(content.length, progress[1]);

            ByteArrayOutputStream back = new ByteArrayOutputStream();
            once.download(name, back);
            assertEquals(sha256(content), sha256(back.toByteArray()));
        }
    }

    /**
     * A multipart completion whose answer is lost on the way back (recorded by the server, the connection then dropped)
     * is sent again, finds its upload gone (42004) and counts as done, since the object stands with its bytes: the
     * caller was told the upload had failed before.
     */
    @Test
    void aCompletionWhoseAnswerWasLostCountsAsDoneWhenTheObjectStands(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(5 * 65536 + 99, 13);
        Path file = dir.resolve("lost.bin");
        Files.write(file, content);
        try (FaultProxy proxy = new FaultProxy(server.url())) {
            Model token = alice.getUploadToken();
            UploadOptions through = UploadOptions.builder().credentials(Model.parse(token.dumps().replace(server.url(), proxy.url())))
                    .multipartThreshold(256 * 1024).partSize(64 * 1024).threads(1).build();
            // The start and six parts pass; the completion is recorded and its answer dropped; its second sending passes.
            FaultProxy.Fault[] script = new FaultProxy.Fault[8];
            java.util.Arrays.fill(script, FaultProxy.Fault.PASS);
            script[7] = FaultProxy.Fault.DROP_AFTER_ANSWER;
            proxy.script(script);
            String name = alice.upload("lost.bin", file, through);
            assertEquals(9, proxy.requests(), "the completion was sent twice");
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            alice.download(name, back);
            assertArrayEquals(content, back.toByteArray());
        }
    }

    @Test
    void anInterruptedDownloadContinuesFromItsPartFile(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(300_000, 3);
        String name = alice.upload("resume.bin", content);
        Path target = dir.resolve("resume.bin");
        Files.write(dir.resolve("resume.bin.part"), Arrays.copyOf(content, 120_000));
        long[] first = {-1};
        alice.download(name, target, (done, total) -> {
            if (first[0] < 0) first[0] = done;
        });
        assertEquals(120_000, first[0], "started where the part file ended");
        assertArrayEquals(content, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve("resume.bin.part")));
    }

    /**
     * A .part file holding bytes of something else (an earlier export to the same path, an object replaced since, a
     * .part longer than the object) is dropped and the object fetched whole: every later download to that path failed
     * as corrupt before. A new .part is its owner's alone, and a link planted at its name is not followed.
     */
    @Test
    void aPartFileOfSomethingElseIsDroppedAndTheObjectFetchedWhole(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(300_000, 5);
        String name = alice.upload("stale.bin", content);
        Path target = dir.resolve("stale.bin");
        Files.write(dir.resolve("stale.bin.part"), randomBytes(120_000, 6));
        alice.download(name, target, (done, total) -> { });
        assertArrayEquals(content, Files.readAllBytes(target), "fetched whole after the stale part");
        assertFalse(Files.exists(dir.resolve("stale.bin.part")));

        Files.write(dir.resolve("stale.bin.part"), randomBytes(400_000, 7)); // longer than the object: 416, then dropped
        alice.download(name, target, (done, total) -> { });
        assertArrayEquals(content, Files.readAllBytes(target));

        Path elsewhere = dir.resolve("elsewhere.txt");
        Files.writeString(elsewhere, "not to be touched");
        Files.createSymbolicLink(dir.resolve("linked.bin.part"), elsewhere);
        Path linkedTarget = dir.resolve("linked.bin");
        java.util.Set<java.nio.file.attribute.PosixFilePermission>[] seen = new java.util.Set[1];
        alice.download(name, linkedTarget, (done, total) -> {
            try {
                if (seen[0] == null) seen[0] = Files.getPosixFilePermissions(dir.resolve("linked.bin.part"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals("not to be touched", Files.readString(elsewhere), "the link was not followed");
        assertArrayEquals(content, Files.readAllBytes(linkedTarget));
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"), seen[0], "the new .part is its owner's alone");
    }

    @Test
    void anAbortedUploadLeavesNothingAndCannotBeCompleted() throws Exception {
        Model token = alice.getUploadToken();
        String name = token.getString("destination") + "/aborted.bin";
        byte[] content = randomBytes(3000, 11);
        HttpResponse<String> started = signedJson(token, "POST", "/uploads",
                "{\"object_name\":\"" + name + "\",\"size\":3000,\"sha256\":\"" + sha256(content) + "\",\"part_size\":1024}");
        assertEquals(0, envelopeCode(started), started.body());
        Model upload = Model.parse(started.body()).getModel("data");
        assertEquals(3, upload.getInt("part_count"));
        String id = upload.getString("upload_id");
        byte[] first = Arrays.copyOf(content, 1024);
        assertEquals(0, envelopeCode(signed(token, "PUT", "/uploads/" + id + "/parts/1", first, sha256(first), "application/octet-stream")));
        byte[] wrongSize = Arrays.copyOf(content, 1000);
        assertEquals(41001, envelopeCode(signed(token, "PUT", "/uploads/" + id + "/parts/2", wrongSize, sha256(wrongSize), "application/octet-stream")));
        HttpResponse<String> early = signedJson(token, "POST", "/uploads/" + id + "/complete", "");
        assertEquals(41001, envelopeCode(early));
        assertTrue(early.body().contains("[2, 3]"), early.body());

        assertEquals(42004, envelopeCode(signedJson(bob.getUploadToken(), "DELETE", "/uploads/" + id, "")), "another caller's upload");
        assertEquals(0, envelopeCode(signedJson(token, "DELETE", "/uploads/" + id, "")));
        assertEquals(42004, envelopeCode(signedJson(token, "POST", "/uploads/" + id + "/complete", "")));
        assertEquals(42007, code(() -> alice.getDownloadUrl(name)));
    }

    static String crc32c(byte[] b) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b);
        return String.format("%08x", crc.getValue());
    }

    @Test
    void aMultipartUploadIsCheckedWholeByItsCrc32c() throws Exception {
        Model token = alice.getUploadToken();
        byte[] content = randomBytes(2500, 21);
        for (boolean honest : new boolean[]{false, true}) {
            String name = token.getString("destination") + "/whole-" + honest + ".bin";
            Model upload = Model.parse(signedJson(token, "POST", "/uploads", "{\"object_name\":\"" + name + "\",\"size\":2500,\"part_size\":1250}").body())
                    .getModel("data");
            String id = upload.getString("upload_id");
            for (int part = 1; part <= 2; part++) {
                byte[] bytes = Arrays.copyOfRange(content, (part - 1) * 1250, part * 1250);
                assertEquals(0, envelopeCode(signed(token, "PUT", "/uploads/" + id + "/parts/" + part, bytes, sha256(bytes), "application/octet-stream")));
            }
            String claimed = honest ? crc32c(content) : crc32c("something else".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> done = signedJson(token, "POST", "/uploads/" + id + "/complete", "{\"crc32c\":\"" + claimed + "\"}");
            if (!honest) {
                assertEquals(42003, envelopeCode(done), done.body());
                assertTrue(done.body().contains("CRC-32C"), done.body());
                assertEquals(42007, code(() -> alice.getDownloadUrl(name)), "nothing visible after a failed check");
                continue;
            }
            Model object = Model.parse(done.body()).getModel("data");
            assertEquals(sha256(content), object.getString("sha256"), "the server computes the whole SHA-256 itself");
            assertEquals(crc32c(content), object.getString("crc32c"));
            assertArrayEquals(content, download(alice, name));
        }
        assertEquals(41001, envelopeCode(signedJson(token, "POST", "/uploads/x/complete", "{\"crc32c\":\"XYZ\"}")));
    }

    @Test
    void downloadsAreCheckedByCrc32cAndACorruptedObjectIsRefused() throws Exception {
        byte[] content = randomBytes(300_000, 5);
        String name = alice.upload("corrupt-me.bin", content);
        String url = alice.getDownloadUrl(name).getString("url");
        HttpResponse<byte[]> whole = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(crc32c(content), whole.headers().firstValue("X-Omix-Content-CRC32C").orElse(""));
        // Flip one byte of the stored object behind the server's back: the download must not pass.
        Path stored = storedFile(server, name);
        byte[] onDisk = Files.readAllBytes(stored);
        onDisk[150_000] ^= 0x40;
        Files.write(stored, onDisk);
        BgeException corrupt = assertThrows(BgeException.class, () -> download(alice, name));
        assertTrue(corrupt.getMessage().contains("corrupt") && corrupt.getMessage().contains("CRC-32C"), corrupt.getMessage());
    }

    @Test
    void aStorageFailureIsAClearErrorAndStoresNothing(@TempDir Path dir) throws Exception {
        Path objects = dir.resolve("store");
        try (TestServer s = TestServer.builder().setting("files.dir", objects.toString()).start()) {
            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api api = o.getCredentialsToken().api()) {
                String ok = api.upload("before.txt", "stored");
                // The staging directory replaced by a file: every write fails as on a broken disk (root ignores permissions).
                Path staging = objects.resolve("staging");
                try (var leftovers = Files.list(staging)) {
                    for (Path p : leftovers.toList()) Files.delete(p);
                }
                Files.delete(staging);
                Files.writeString(staging, "not a directory");
                ApiException failed = assertThrows(ApiException.class, () -> api.upload("after.txt", "lost?"));
                assertEquals(42006, failed.code());
                assertEquals("stored", new String(download(api, ok), StandardCharsets.UTF_8), "earlier objects are untouched");
                String name = ok.replace("before.txt", "after.txt");
                assertEquals(42007, code(() -> api.getDownloadUrl(name)), "nothing half-written is visible");
            }
        }
    }

    @Test
    void anotherClientWithTheSameCredentialsResumesTheUpload(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(512 * 1024 + 99, 13);
        Path file = dir.resolve("shared.bin");
        Files.write(file, content);
        int parts = (content.length + 65535) / 65536;
        Model token = alice.getUploadToken();
        try (Api first = Api.builder(alice.accessToken()).endpoint(server.url()).maxRetries(0).build()) {
            UploadOptions cutOff = UploadOptions.builder().credentials(token).multipartThreshold(1024).partSize(64 * 1024).threads(2)
                    .listener((done, total) -> {
                        if (done > total / 2) throw new UncheckedIOException(new IOException("the process died"));
                    }).build();
            assertThrows(RuntimeException.class, () -> first.upload("shared.bin", file, cutOff));
        }
        Thread.sleep(1000);
        long held = server.server().platform().database().jdbc().queryOne("SELECT COUNT(*) FROM upload_parts p JOIN multipart_uploads u"
                + " ON p.upload_id = u.upload_id WHERE u.object_name LIKE '%/shared.bin'", rs -> rs.getLong(1)).orElseThrow();
        assertTrue(held > 0 && held < parts, "some parts held: " + held);
        try (Api second = Api.builder(alice.accessToken()).endpoint(server.url()).build()) { // as another process would
            long before = partRequests();
            String name = second.upload("shared.bin", file, UploadOptions.builder().credentials(token).multipartThreshold(1024)
                    .partSize(64 * 1024).build());
            assertEquals(parts - held, partRequests() - before, "only the missing parts");
            assertTrue(name.startsWith(token.getString("destination") + "/"));
            assertArrayEquals(content, download(second, name));
        }
    }
}
