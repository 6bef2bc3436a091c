package io.omix.sdk;

import io.omix.sdk.FaultProxy.Fault;
import io.omix.server.Platform;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe retries of writes, as an application relies on them: a write whose answer is lost on the way
 * back is sent again by the SDK with the same Idempotency-Key and lands once (the records are
 * counted), on the private and the open platform; the raw protocol (replay header, a key reused for
 * another request, a key still being served, keys per caller, housekeeping). On H2 and PostgreSQL.
 */
class IdempotencyTest {
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aWriteWhoseAnswerIsLostIsRetriedAndLandsOnce(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start(); FaultProxy proxy = new FaultProxy(s.url())) {
            Platform platform = Identity.platform(s);
            PrivateAppStore.Created app = new PrivateAppStore(platform).create("Retrying app", "IDEM_APP");
            String project = new SampleStore(platform).createProject("idempotency", 1, null, null, null).projectId();
            String sample;
            String entity;
            try (PrivateApi direct = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(s.url()).build()) {
                sample = direct.registerSample(11, project, "IDEM-1", Map.of()).getString("biosample_id");
                entity = direct.streamBind(sample).getString("fundamental_entity_id");
            }
            try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(proxy.url()).maxRetries(3)
                    .timeout(Duration.ofSeconds(10)).build()) {
                // duplicate_enabled: a second execution would store every record again, so a double apply shows in the count.
                List<Map<String, Object>> records = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    records.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                            "stream_generate_time", String.format("2031-01-01 00:00:%02d", i % 60), "stream_data", Map.of("i", i)));
                }
                proxy.script(Fault.DROP_AFTER_ANSWER);
                int before = proxy.requests();
                Model written = api.batchWriteStream(records, true);
                assertEquals(2, proxy.requests() - before, "the lost answer was asked for again");
                assertEquals(100, written.getList("result").models().stream().filter(m -> Boolean.TRUE.equals(m.getBoolean("is_succeed"))).count());
                long stored = 0;
                for (Model ignored : api.streams(app.app().namespace(), HEART_RATE, entity, null, "2031-01-01", "2031-01-02", "asc")) stored++;
                assertEquals(100, stored, "written once, not twice");

                // The private platform's batch registration: one batch, the first answer's number.
                proxy.script(Fault.DROP_AFTER_ANSWER);
                long batchNo = api.registerBatch("retried", "").getLong("batch_no");
                assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM batches WHERE name = 'retried'", rs -> rs.getLong(1)).orElseThrow());
                assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM batches WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).orElseThrow());
            }

            // The open platform: a sample registered through a lost answer is registered once.
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "retrier", "retrier@example.org");
            String token = Identity.userToken(s, client, person.userId(), "samples").accessToken();
            try (Api api = Api.builder(token).endpoint(proxy.url()).maxRetries(3).build()) {
                proxy.script(Fault.DROP_AFTER_ANSWER);
                String registered = api.registerSample("RETRIED-1", 11, project).getString("biosample_id");
                assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM samples WHERE external_sample_id = 'RETRIED-1'",
                        rs -> rs.getLong(1)).orElseThrow());
                assertTrue(new SampleStore(platform).find(registered).isPresent());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theProtocolReplaysRefusesAndKeepsKeysPerCaller(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            String project = new SampleStore(platform).createProject("idempotency", 1, null, null, null).projectId();
            String alice = Identity.userToken(s, client, Identity.user(s, "alice-idem", "a@example.org").userId(), "samples").accessToken();
            String bob = Identity.userToken(s, client, Identity.user(s, "bob-idem", "b@example.org").userId(), "samples").accessToken();

            HttpResponse<String> first = register(s, alice, "key-1", "EXT-1", project);
            assertEquals(200, first.statusCode());
            assertTrue(first.headers().firstValue("Idempotent-Replayed").isEmpty());
            HttpResponse<String> again = register(s, alice, "key-1", "EXT-1", project);
            assertEquals(first.body(), again.body(), "the same answer, the same biosample id");
            assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(null));
            assertEquals(1L, count(platform, "EXT-1"));

            HttpResponse<String> other = register(s, alice, "key-1", "EXT-2", project);
            assertTrue(other.body().startsWith("{\"code\":41001") && other.body().contains("Idempotency-Key"), other.body());
            assertEquals(0L, count(platform, "EXT-2"));

            // A request naming something shaped like a sample id that is no sample here is kept all the same (only the
            // answer's samples must still be there): a retry is a replay, not a second write.
            HttpResponse<String> shaped = register(s, alice, "key-shaped", "X-E-B19137107158", project);
            HttpResponse<String> shapedAgain = register(s, alice, "key-shaped", "X-E-B19137107158", project);
            assertEquals("true", shapedAgain.headers().firstValue("Idempotent-Replayed").orElse(null), shapedAgain.body());
            assertEquals(shaped.body(), shapedAgain.body());
            assertEquals(1L, count(platform, "X-E-B19137107158"));

            // A credential of the same person and application that may do less (a token of narrower scopes, as a model's
            // invocation token is) is not handed the answer the first was allowed: the key counts as used with another request.
            String aliceId0 = platform.database().jdbc().queryOne("SELECT user_id FROM users WHERE username = 'alice-idem'", rs -> rs.getString(1)).orElseThrow();
            String aliceProfile = Identity.userToken(s, client, aliceId0, "profile").accessToken();
            HttpResponse<String> narrower = register(s, aliceProfile, "key-1", "EXT-1", project);
            assertTrue(narrower.body().startsWith("{\"code\":41001") && narrower.body().contains("Idempotency-Key")
                    && !narrower.body().contains("biosample_id\":\"E-"), narrower.body());
            String aliceWider = Identity.userToken(s, client, aliceId0, "samples").accessToken();
            assertEquals(first.body(), register(s, aliceWider, "key-1", "EXT-1", project).body(), "another token of the same standing replays");

            // The same key from another caller is another write (not "a key used with another request").
            HttpResponse<String> bobs = register(s, bob, "key-1", "EXT-B", project);
            assertTrue(bobs.body().startsWith("{\"code\":0"), bobs.body());
            assertTrue(!bobs.body().equals(first.body()));

            // A repeat while the first is still being served waits for the first's answer.
            String aliceOwner = "user:" + platform.database().jdbc().queryOne("SELECT user_id FROM users WHERE username = 'alice-idem'",
                    rs -> rs.getString(1)).orElseThrow() + "/client:" + client.id();
            // Kept deflated, not as text.
            byte[] kept = platform.database().jdbc().queryOne("SELECT body_deflated FROM idempotency_keys WHERE owner = ? AND idem_key = 'key-1' AND body IS NULL",
                    rs -> rs.getBytes(1), aliceOwner).orElseThrow();
            assertEquals(first.body(), new String(new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(kept)).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
            platform.database().jdbc().update("UPDATE idempotency_keys SET state = 'running', body_deflated = NULL WHERE owner = ? AND idem_key = 'key-1'", aliceOwner);
            Thread finisher = new Thread(() -> {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    return;
                }
                platform.database().jdbc().update("UPDATE idempotency_keys SET state = 'done', body_deflated = ? WHERE owner = ? AND idem_key = 'key-1'",
                        kept, aliceOwner);
            });
            finisher.start();
            long started = System.nanoTime();
            HttpResponse<String> waited = register(s, alice, "key-1", "EXT-1", project);
            finisher.join();
            assertEquals(first.body(), waited.body(), "the first request's answer, once it had one");
            assertTrue(System.nanoTime() - started >= 600_000_000L, "it waited for it");
            // An answer kept as text by an earlier version is replayed as it was.
            platform.database().jdbc().update("UPDATE idempotency_keys SET body = ?, body_deflated = NULL WHERE owner = ? AND idem_key = 'key-1'",
                    first.body(), aliceOwner);
            assertEquals(first.body(), register(s, alice, "key-1", "EXT-1", project).body());

            // Answers that hand out secrets are never kept: a repeat gets new upload credentials, and nothing is stored.
            String files = Identity.userToken(s, client, Identity.user(s, "carol-idem", "c@example.org").userId(), "files").accessToken();
            HttpRequest sts = HttpRequest.newBuilder(URI.create(s.url() + "/sts/token")).header("Authorization", "Bearer " + files)
                    .header("Idempotency-Key", "sts-1").POST(HttpRequest.BodyPublishers.noBody()).build();
            String one = HTTP.send(sts, HttpResponse.BodyHandlers.ofString()).body();
            String two = HTTP.send(sts, HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(one.startsWith("{\"code\":0") && two.startsWith("{\"code\":0") && !one.equals(two), one + " / " + two);
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'sts-1'",
                    rs -> rs.getLong(1)).orElseThrow());

            // A read is answered as things are now, its key ignored: a kept read would be a day-old copy of data (an erasure
            // since made no difference to it), with the signed links it held.
            HttpRequest read = HttpRequest.newBuilder(URI.create(s.url() + "/samples?limit=10")).header("Authorization", "Bearer " + alice)
                    .header("Idempotency-Key", "read-1").GET().build();
            HttpResponse<String> before = HTTP.send(read, HttpResponse.BodyHandlers.ofString());
            assertTrue(before.body().contains("EXT-1"), before.body());
            register(s, alice, "key-4", "EXT-4", project);
            HttpResponse<String> after = HTTP.send(read, HttpResponse.BodyHandlers.ofString());
            assertTrue(after.body().contains("EXT-4") && after.headers().firstValue("Idempotent-Replayed").isEmpty(), after.body());
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'read-1'",
                    rs -> rs.getLong(1)).orElseThrow());

            // A read sent by POST (a region list too long for a URL) is a read all the same: never kept under its key.
            HttpRequest region = HttpRequest.newBuilder(URI.create(s.url() + "/variants/region")).header("Authorization", "Bearer " + alice)
                    .header("Idempotency-Key", "region-1").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"biosample_id\":\"E-A00000000001\",\"regions\":\"1:1-100\"}")).build();
            HTTP.send(region, HttpResponse.BodyHandlers.ofString());
            assertTrue(HTTP.send(region, HttpResponse.BodyHandlers.ofString()).headers().firstValue("Idempotent-Replayed").isEmpty());
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'region-1'",
                    rs -> rs.getLong(1)).orElseThrow());

            HttpResponse<String> malformed = register(s, alice, "key with spaces", "EXT-3", project);
            assertTrue(malformed.body().startsWith("{\"code\":41001") && malformed.body().contains("Idempotency-Key"), malformed.body());

            // A sample unbound from the person takes the answers kept for the person's keys that name it (a repeat would hand
            // them what they no longer see); the others stay.
            String fifth = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(register(s, alice, "key-5", "EXT-5", project).body())
                    .path("data").path("biosample_id").asText();
            assertTrue(fifth.startsWith("E-"), fifth);
            assertTrue(new SampleStore(platform).unbindUser(fifth, aliceId0));
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner = ? AND idem_key = 'key-5'",
                    rs -> rs.getLong(1), aliceOwner).orElseThrow(), "the answer naming the unbound sample went");
            assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner = ? AND idem_key = 'key-4'",
                    rs -> rs.getLong(1), aliceOwner).orElseThrow(), "another stays");

            // A grant taken back takes the answers kept for its keys: given again, it is not answered copies of what was
            // written or read under the one revoked.
            assertTrue(platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner = ?", rs -> rs.getLong(1),
                    aliceOwner).orElseThrow() > 0);
            String aliceId = aliceOwner.substring("user:".length(), aliceOwner.indexOf('/'));
            assertTrue(new io.omix.server.oauth.ConsentStore(platform).revoke(aliceId, client.id()));
            assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner = ?", rs -> rs.getLong(1),
                    aliceOwner).orElseThrow());

            // Kept a day, then housekeeping removes them.
            var idempotency = new io.omix.server.common.http.Idempotency(platform.database().jdbc(), platform.clock(), new byte[32]);
            assertEquals(0, idempotency.removeExpired(OffsetDateTime.now().plusHours(23)));
            assertTrue(idempotency.removeExpired(OffsetDateTime.now().plusHours(25)) >= 1, "bob's");
        }
    }

    /**
     * Copies of a request whose key another request holds wait for its answer, at most eight of one caller on a server;
     * more are told at once to come back (409 with Retry-After), so that copies of one slow request cannot hold the
     * database's connections. Kept fingerprints are keyed hashes, not the plain SHA-256 of a request (whose body may hold a
     * password); a key kept with a plain one before the upgrade still replays.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void waitingCopiesAreBoundedAndFingerprintsAreKeyed(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            var jdbc = platform.database().jdbc();
            Identity.Client client = Identity.confidentialClient(s);
            String project = new SampleStore(platform).createProject("waiting", 1, null, null, null).projectId();
            Identity.Person dora = Identity.user(s, "dora-idem", "d@example.org");
            String token = Identity.userToken(s, client, dora.userId(), "samples").accessToken();
            String owner = "user:" + dora.userId() + "/client:" + client.id();

            HttpResponse<String> first = register(s, token, "held-key", "EXT-H", project);
            String kept = jdbc.queryOne("SELECT fingerprint FROM idempotency_keys WHERE owner = ? AND idem_key = 'held-key'", rs -> rs.getString(1), owner)
                    .orElseThrow();
            String body = "external_sample_id=EXT-H&biosample_site=11&project_id=" + project;
            String plain = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("POST /samples/register?\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertTrue(kept.startsWith("s") && !kept.equals(plain), kept);
            jdbc.update("UPDATE idempotency_keys SET fingerprint = ? WHERE owner = ? AND idem_key = 'held-key'", plain, owner);
            HttpResponse<String> fromBefore = register(s, token, "held-key", "EXT-H", project);
            assertEquals(first.body(), fromBefore.body(), "a key kept with the plain fingerprint of a version before");
            assertEquals("true", fromBefore.headers().firstValue("Idempotent-Replayed").orElse(null));

            // Held by a request still being served (as a slow upload would hold it).
            jdbc.update("UPDATE idempotency_keys SET state = 'running' WHERE owner = ? AND idem_key = 'held-key'", owner);
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> copies = new ArrayList<>();
            for (int i = 0; i < 12; i++) copies.add(HTTP.sendAsync(registerRequest(s, token, "held-key", "EXT-H", project), HttpResponse.BodyHandlers.ofString()));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (copies.stream().filter(java.util.concurrent.CompletableFuture::isDone).count() < 4 && System.nanoTime() < deadline) Thread.sleep(20);
            List<HttpResponse<String>> refused = copies.stream().filter(java.util.concurrent.CompletableFuture::isDone).map(java.util.concurrent.CompletableFuture::join).toList();
            assertEquals(4, refused.size(), "four of twelve copies answered at once");
            for (HttpResponse<String> r : refused) {
                assertEquals(409, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
            }
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> waiters = copies.stream().filter(f -> !f.isDone()).toList();
            assertEquals(8, waiters.size(), "eight wait");
            jdbc.update("UPDATE idempotency_keys SET state = 'done' WHERE owner = ? AND idem_key = 'held-key'", owner);
            for (var w : waiters) assertEquals(first.body(), w.get(30, java.util.concurrent.TimeUnit.SECONDS).body(), "each waiter gets the answer");
            assertEquals(1L, count(platform, "EXT-H"));
        }
    }

    private static HttpRequest registerRequest(TestServer s, String token, String key, String externalId, String project) {
        return HttpRequest.newBuilder(URI.create(s.url() + "/samples/register")).header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", key).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("external_sample_id=" + externalId + "&biosample_site=11&project_id=" + project)).build();
    }

    private static HttpResponse<String> register(TestServer s, String token, String key, String externalId, String project) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/samples/register")).header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", key).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("external_sample_id=" + externalId + "&biosample_site=11&project_id=" + project)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long count(Platform platform, String externalId) {
        return platform.database().jdbc().queryOne("SELECT COUNT(*) FROM samples WHERE external_sample_id = ?", rs -> rs.getLong(1), externalId).orElseThrow();
    }

    /**
     * A body streamed to its handler (here a FHIR write) is known by its bytes under its key, once read: another
     * measurement of the same length under the key is refused (naming the key) instead of answered with the first one's
     * answer while it is dropped; the same body again is replayed; a refused body is replayed as refused. Before, the
     * length and type stood for such a body, and the second measurement was lost without a word.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aStreamedBodyIsKnownByItsBytesUnderItsKey(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String owner = w.owner().accessToken();
            String patient = FhirTest.userId(s, "owner");
            String heartRate = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
                    + "\"code\":\"8867-4\"}]},\"subject\":{\"reference\":\"Patient/" + patient + "\"},\"effectiveDateTime\":"
                    + "\"2025-04-01T07:30:00+08:00\",\"valueQuantity\":{\"value\":%d}}";
            HttpResponse<String> first = fhirPost(s, owner, String.format(heartRate, 61), "obs-key-1");
            assertEquals(201, first.statusCode(), first.body());
            HttpResponse<String> again = fhirPost(s, owner, String.format(heartRate, 61), "obs-key-1");
            assertEquals(201, again.statusCode(), again.body());
            assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(null));
            assertEquals(first.body(), again.body());
            HttpResponse<String> another = fhirPost(s, owner, String.format(heartRate, 62), "obs-key-1");
            assertEquals(400, another.statusCode(), another.body());
            assertTrue(another.body().contains("Idempotency-Key") && another.body().contains("another body"), another.body());
            assertTrue(another.headers().firstValue("Idempotent-Replayed").isEmpty());
            assertEquals(201, fhirPost(s, owner, String.format(heartRate, 62), "obs-key-2").statusCode(), "under a key of its own it is written");
            HttpResponse<String> search = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/fhir/Observation?subject=Patient/" + patient))
                    .header("Authorization", "Bearer " + owner).build(), HttpResponse.BodyHandlers.ofString());
            Model bundle = Model.parse(search.body());
            List<Double> values = new ArrayList<>();
            for (Model e : bundle.getList("entry").models()) values.add(e.getModel("resource").getModel("valueQuantity").getDouble("value"));
            values.sort(null);
            assertEquals(List.of(61.0, 62.0), values, "each measurement once: " + search.body());

            // A body refused is replayed as refused; another body under its key is told apart too.
            String noCode = String.format(heartRate, 63).replace("\"code\":\"8867-4\"", "\"code\":\"0000-0\"");
            HttpResponse<String> refused = fhirPost(s, owner, noCode, "obs-key-3");
            assertEquals(400, refused.statusCode(), refused.body());
            HttpResponse<String> refusedAgain = fhirPost(s, owner, noCode, "obs-key-3");
            assertEquals("true", refusedAgain.headers().firstValue("Idempotent-Replayed").orElse(null), refusedAgain.body());
            HttpResponse<String> fixed = fhirPost(s, owner, noCode.replace("\"value\":63", "\"value\":64"), "obs-key-3");
            assertTrue(fixed.body().contains("another body"), fixed.body());

            // A body cut short (the client went away mid-body) keeps nothing under its key: the retry with the whole body
            // is written, not answered with what the cut body got.
            String whole = String.format(heartRate, 65);
            byte[] bytes = whole.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(s.url()).getPort())) {
                java.io.OutputStream out = socket.getOutputStream();
                out.write(("POST /fhir/Observation HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + owner + "\r\nContent-Type: application/fhir+json\r\n"
                        + "Idempotency-Key: obs-key-4\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                out.write(bytes, 0, bytes.length / 2);
                out.flush();
                Thread.sleep(300);
            }
            HttpResponse<String> retried = null;
            for (int i = 0; i < 50; i++) {   // the cut request may still hold its key for a moment
                retried = fhirPost(s, owner, whole, "obs-key-4");
                if (retried.statusCode() != 409) break;
                Thread.sleep(100);
            }
            assertEquals(201, retried.statusCode(), retried.body());
            assertTrue(retried.headers().firstValue("Idempotent-Replayed").isEmpty(), "done, not replayed");
        }
    }

    static HttpResponse<String> fhirPost(TestServer s, String token, String body, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/fhir/Observation")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/fhir+json").header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
