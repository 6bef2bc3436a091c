package io.omix.sdk;

import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.MutableClock;
import io.omix.server.testing.TestServer;
import io.omix.server.users.SessionStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Housekeeping removes what is past its time and nothing else: expired tokens, codes, sessions,
 * nonces, finished tasks past retention, abandoned uploads with their staged bytes, expired upload
 * credentials; live ones stay. One server of several runs it per interval. On H2 and PostgreSQL.
 */
class HousekeepingTest {

    static long count(TestServer s, String table) {
        return Identity.platform(s).database().jdbc().queryOne("SELECT COUNT(*) FROM " + table, rs -> rs.getLong(1)).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatIsPastItsTimeGoesAndWhatLivesStays(String kind) throws Exception {
        MutableClock clock = new MutableClock();
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("housekeeping.interval-seconds", "0").start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "keeper", "keeper@example.org");
            TokenStore tokens = new TokenStore(Identity.platform(s));
            // Old things: a token and its credentials, a session, signed calls' nonces, an abandoned multipart upload.
            String old = Identity.userToken(s, client, person.userId(), "files samples").accessToken();
            new SessionStore(Identity.platform(s)).start(person.userId()).orElseThrow();
            Identity.Client app = Identity.app(s, "KEEP_APP");
            try (PrivateApi partner = PrivateApi.builder(app.id(), app.secret()).endpoint(s.url()).build()) {
                partner.getSamples(null, null, null, null);
            }
            String uploadId;
            try (Api api = Api.builder(old).endpoint(s.url()).build()) {
                Model credentials = api.getUploadToken();
                String name = credentials.getString("destination") + "/abandoned.bin";
                uploadId = Model.parse(FilesTest.signedJson(credentials, "POST", "/uploads", "{\"object_name\":\"" + name
                        + "\",\"size\":4096,\"part_size\":2048}").body()).getModel("data").getString("upload_id");
                byte[] part = FilesTest.randomBytes(2048, 3);
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signed(credentials, "PUT", "/uploads/" + uploadId + "/parts/1", part,
                        FilesTest.sha256(part), "application/octet-stream")));
            }
            Path objects = s.dataDir().resolve("objects");
            assertTrue(staged(objects, uploadId), "the part's bytes are staged");
            // A file that is recorded, an object nothing refers to (its server killed before recording
            // it) and the staged bytes of an interrupted write.
            String kept;
            try (Api api = Api.builder(old).endpoint(s.url()).build()) {
                kept = api.upload("kept.txt", "still here");
            }
            Path orphan = objects.resolve("objects").resolve("lost-and-found").resolve("orphan.bin");
            Files.createDirectories(orphan.getParent());
            Files.write(orphan, new byte[] {1, 2, 3});
            Path scratch = objects.resolve("staging").resolve("interrupted.part");
            Files.write(scratch, new byte[] {4});
            // An upload staged with no row naming it (its server killed between staging and recording it, or its abort
            // failed after an erasure removed the row): its bytes were kept for good.
            Identity.platform(s).objects().startParts("unrecorded-upload-0001", "x/unrecorded.bin");
            assertTrue(staged(objects, "unrecorded-upload-0001"));
            Identity.platform(s).database().jdbc().update("INSERT INTO tasks (job_id, task_id, kind, owner, payload, status, result, path, created_at, updated_at,"
                    + " completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", 900001L, "00000000-0000-0000-0000-000000900001", "test", "x", "{}", "SUCCESS", "{}",
                    "/x", Identity.platform(s).now(), Identity.platform(s).now(), Identity.platform(s).now());

            clock.advance(Duration.ofDays(35)); // past every lifetime and retention
            String fresh = Identity.userToken(s, client, person.userId(), "samples files").accessToken();
            Map<String, Long> removed = s.server().housekeeping().runNow();
            for (String job : new String[] {"oauth_tokens", "user_sessions", "private_nonces", "tasks", "multipart_uploads", "upload_credentials",
                    "unreferenced_objects", "object_scratch", "unrecorded_uploads"}) {
                assertTrue(removed.getOrDefault(job, 0L) > 0, job + " removed something: " + removed);
            }
            assertEquals(2, count(s, "oauth_tokens"), "the live access and refresh tokens stay");
            assertTrue(tokens.authenticate(fresh).isPresent());
            assertEquals(0, count(s, "multipart_uploads"));
            assertFalse(staged(objects, uploadId), "the abandoned upload's bytes are gone");
            assertFalse(staged(objects, "unrecorded-upload-0001"), "the unrecorded upload's bytes are gone");
            assertFalse(Files.exists(orphan), "the object nothing refers to is gone");
            assertFalse(Files.exists(orphan.getParent()), "with the directory it alone used");
            assertFalse(Files.exists(scratch), "the interrupted write's scratch is gone");
            try (Api api = Api.builder(fresh).endpoint(s.url()).build()) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                api.download(kept, out);
                assertEquals("still here", out.toString(java.nio.charset.StandardCharsets.UTF_8), "a recorded file stays readable");
            }
            String metrics = Identity.platform(s).metrics().scrape();
            assertTrue(metrics.contains("omix_housekeeping_removed_total{job=\"oauth_tokens\"}"), "counted in /metrics");
            assertEquals(Map.of(), s.server().housekeeping().runNow().entrySet().stream().filter(e -> e.getValue() > 0)
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "a second run finds nothing");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void oneServerRunsItPerInterval(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("housekeeping.interval-seconds", "3600").start()) {
            var first = s.server().housekeeping().runIfDue();
            var second = s.server().housekeeping().runIfDue();
            assertFalse(first.isEmpty(), "the first to claim the turn runs");
            assertTrue(second.isEmpty(), "the turn is taken until the interval has passed");
        }
    }

    static boolean staged(Path objects, String uploadId) throws Exception {
        try (var files = Files.walk(objects)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith(uploadId));
        }
    }
}
