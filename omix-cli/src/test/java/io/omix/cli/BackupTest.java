package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code omix admin backup} while the server runs and writes go on, then {@code omix admin restore}
 * into an empty data directory: every record acknowledged before the backup began is there with the
 * id it was given, files download by the signed links handed out before, tokens still work.
 */
class BackupTest {
    static final String HEART_RATE = CrashTest.HEART_RATE;

    @Test
    void onPostgresqlTheBackupCommandPointsToItsTools(@TempDir Path dir) {
        AdminAndLoginTest.Run refused = AdminAndLoginTest.omix("admin", "--db-url", "jdbc:postgresql://127.0.0.1:1/none",
                "--set", "security.master-key=" + java.util.Base64.getEncoder().encodeToString(new byte[32]), "backup", dir.resolve("b").toString());
        assertTrue(refused.exit() != 0);
        assertTrue(refused.err().contains("pg_dump"), refused.err());
    }

    @Test
    void compactingRefusesARunningServerAndKeepsEveryRecord(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = CrashTest.freePort();
        String endpoint = "http://127.0.0.1:" + port;
        Process server = CrashTest.serve(data, port);
        CrashTest.DemoApp demo = CrashTest.DemoApp.of(data);
        List<String> written = new ArrayList<>();
        try {
            try (PrivateApi partner = PrivateApi.builder(demo.appKey(), demo.appSecret()).endpoint(endpoint).build()) {
                String entity = partner.streamBind(demo.sample()).getString("fundamental_entity_id");
                for (int i = 0; i < 50; i++) {
                    written.add(partner.writeStream(entity, HEART_RATE, "2031-05-01 00:00:" + String.format("%02d", i), Map.of("bpm", 50 + i), false)
                            .getString("stream_id"));
                }
            }
            AdminAndLoginTest.Run busy = AdminAndLoginTest.omix("admin", "--data-dir", data.toString(), "compact");
            assertTrue(busy.exit() != 0, "compacting under a running server is refused");
            assertTrue(busy.err().contains("stop omix serve first"), busy.err());
        } finally {
            server.destroy();
            server.waitFor();
        }
        AdminAndLoginTest.Run compacted = AdminAndLoginTest.omix("admin", "--data-dir", data.toString(), "compact");
        assertEquals(0, compacted.exit(), compacted.err());
        assertTrue(compacted.json().get("bytes_after").asLong() <= compacted.json().get("bytes_before").asLong(), compacted.out());
        server = CrashTest.serve(data, port);
        try (PrivateApi partner = PrivateApi.builder(demo.appKey(), demo.appSecret()).endpoint(endpoint).build()) {
            String entity = partner.streamBind(demo.sample()).getString("fundamental_entity_id");
            Set<String> stored = new HashSet<>();
            for (Model r : partner.streams(demo.namespace(), HEART_RATE, entity, null, "2031-05-01", "2031-05-02", "asc")) {
                stored.add(r.getString("stream_id"));
            }
            assertEquals(new HashSet<>(written), stored, "every record is there after compaction, with its id");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    @Test
    void aBackupUnderWriteLoadRestoresEveryAcknowledgedItem(@TempDir Path dir) throws Exception {
        Path backup = dir.resolve("backup");
        Path restored = dir.resolve("restored");
        List<String> before = new ArrayList<>();
        String signedUrl;
        byte[] fileBytes = "a report, byte for byte\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String token;
        String appKey;
        String appSecret;
        String namespace = "BACKUP_APP";
        String entity;
        ConcurrentLinkedQueue<String> duringBackup = new ConcurrentLinkedQueue<>();
        try (TestServer s = TestServer.start()) {
            var platform = s.server().platform();
            ClientStore.Created client = new ClientStore(platform).create("Backed up", List.of("http://127.0.0.1:9/cb"),
                    Set.of(OAuthClient.CLIENT_CREDENTIALS), io.omix.server.common.auth.Scope.defaults(), false, null);
            token = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), null, OAuthClient.CLIENT_CREDENTIALS,
                    "files samples", null, false).accessToken();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Backup partner", namespace);
            appKey = app.app().appKey();
            appSecret = app.appSecret();
            String project = new io.omix.server.samples.SampleStore(platform).createProject("bk", 1, null, null, null).projectId();
            try (Api api = Api.builder(token).endpoint(s.url()).build();
                 PrivateApi partner = PrivateApi.builder(appKey, appSecret).endpoint(s.url()).build()) {
                String name = api.upload("report.txt", fileBytes);
                signedUrl = api.getDownloadUrl(name).getString("url");
                String sample = partner.registerSample(11, project, "BK-1", Map.of()).getString("biosample_id");
                entity = partner.streamBind(sample).getString("fundamental_entity_id");
                for (int i = 0; i < 20; i++) {
                    before.add(partner.writeStream(entity, HEART_RATE, "2032-01-01 00:00:" + String.format("%02d", i), Map.of("bpm", 60 + i), false)
                            .getString("stream_id"));
                }
            }
            // Writes go on while the backup is taken.
            AtomicBoolean stop = new AtomicBoolean();
            String endpoint = s.url();
            Thread writer = new Thread(() -> {
                try (PrivateApi partner = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
                    for (int i = 0; !stop.get(); i++) {
                        duringBackup.add(partner.writeStream(entity, HEART_RATE, "2033-01-01 00:00:00." + String.format("%06d", i),
                                Map.of("bpm", 70), false).getString("stream_id"));
                    }
                }
            });
            writer.start();
            Thread.sleep(100);
            AdminAndLoginTest.Run taken = AdminAndLoginTest.omix("admin", "--data-dir", s.dataDir().toString(), "backup", backup.toString());
            stop.set(true);
            writer.join(30_000);
            assertEquals(0, taken.exit(), taken.err());
            assertTrue(taken.json().get("objects").asLong() >= 1, taken.out());
            assertTrue(Files.exists(backup.resolve("master.key")));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(backup.resolve("db.zip"))),
                    "the database's copy is the operator's alone");
            if ("root".equals(System.getProperty("user.name"))) {
                // An empty directory someone else made ready (under /tmp, say) is not backed up into: they could read it.
                Path planted = Files.createDirectories(dir.resolve("planted"));
                Files.setOwner(planted, planted.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
                AdminAndLoginTest.Run refused = AdminAndLoginTest.omix("admin", "--data-dir", s.dataDir().toString(), "backup", planted.toString());
                assertEquals(2, refused.exit(), refused.err());
                assertTrue(refused.err().contains("belongs to another user"), refused.err());
            }
        }
        assertTrue(duringBackup.size() > 0, "writes went on during the backup");

        AdminAndLoginTest.Run back = AdminAndLoginTest.omix("admin", "--data-dir", restored.toString(), "restore", backup.toString());
        assertEquals(0, back.exit(), back.err());
        AdminAndLoginTest.Run again = AdminAndLoginTest.omix("admin", "--data-dir", restored.toString(), "restore", backup.toString());
        assertTrue(again.exit() != 0, "a second restore onto a database is refused");
        AdminAndLoginTest.Run compacted = AdminAndLoginTest.omix("admin", "--data-dir", restored.toString(), "compact");
        assertEquals(0, compacted.exit(), compacted.err());
        assertTrue(compacted.json().get("bytes_after").asLong() > 0, compacted.out());
        // Both are in the restored database's audit trail, with the backup they came from.
        String trail = AdminAndLoginTest.omix("admin", "--data-dir", restored.toString(), "audit", "list", "--json").out();
        assertTrue(trail.contains("omix admin restore") && trail.contains("dir=" + backup), trail);
        assertTrue(trail.contains("omix admin compact"), trail);

        try (TestServer s = TestServer.builder().setting("data.dir", restored.toString()).start();
             Api api = Api.builder(token).endpoint(s.url()).build();
             PrivateApi partner = PrivateApi.builder(appKey, appSecret).endpoint(s.url()).build()) {
            Set<String> stored = new HashSet<>();
            for (Model r : partner.streams(namespace, HEART_RATE, entity, null, "2032-01-01", "2034-01-01", "asc")) stored.add(r.getString("stream_id"));
            assertTrue(stored.containsAll(before), "every record acknowledged before the backup, with its id");
            URI original = URI.create(signedUrl);
            URI moved = URI.create(s.url() + original.getRawPath() + "?" + original.getRawQuery());
            HttpResponse<byte[]> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(moved).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, file.statusCode(), "the signed link handed out before still works");
            assertArrayEquals(fileBytes, file.body());
            assertTrue(api.alive());
            assertTrue(api.getUploadToken().getString("destination") != null, "the application's token still works");
        }
    }
}
