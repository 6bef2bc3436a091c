package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Platform;
import io.omix.server.batches.BatchStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.privacy.ArchiveRestore;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The right of access and portability, as a person and an operator would use it: the person asks for
 * their data, the task hands back a signed link to one archive whose manifest checks out and which
 * holds their data of every kind and nothing of anyone else's; the operator of a fresh server restores
 * it for a new account, and the open platform's answers about the person's sample are the same there.
 * On H2 and PostgreSQL.
 */
class ExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
    private static final String BODY_WEIGHT = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b02";
    private static final List<String> RSIDS = List.of("rs100", "rs200", "rs300", "rs400", "rs500", "rs700", "rs701");

    @TempDir
    Path dir;

    /** Where the people of a test keep their data: the platform's own tool, a project, a partner app and one of its batches. */
    record Place(TestServer server, String clientId, String project, String namespace, long batchNo) {
        static Place of(TestServer s, String project, String appName) {
            Platform platform = Identity.platform(s);
            String clientId = ErasureTest.ownTool(platform);
            String projectId = new SampleStore(platform).createProject(project, 1, "Consortium", null, null).projectId();
            String namespace = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", appName).app().namespace();
            return new Place(s, clientId, projectId, namespace, new BatchStore(platform).register(namespace, "batch", "items").batchNo());
        }

        /** A person holding data of every kind here (ErasureTest.person). */
        ErasureTest.Person person(String name) throws Exception {
            return ErasureTest.person(server, name, project, clientId, namespace, batchNo);
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anExportHoldsEverythingOfThePersonAndRestoresToTheSameAnswers(String kind) throws Exception {
        Path archive = dir.resolve("export.zip");
        Map<String, String> before;
        ErasureTest.Person person;
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            Place place = Place.of(s, "export", "EXPORT_APP");
            person = place.person("exportme");
            ErasureTest.Person other = place.person("someoneelse");
            // Someone else asking about the person's sample: the person's export says it happened, not who that was or from where.
            assertEquals(41303, assertThrows(ApiException.class, () -> other.api().getVariants(person.sample(), List.of("rs100"))).code());
            // Open-platform records too: an Observation payload at a time with a fraction and an offset, and a bare month.
            var streams = new io.omix.server.streams.StreamStore(platform);
            String entity = streams.entityOf(person.sample());
            streams.write(io.omix.server.streams.StreamStore.OPEN_PLATFORM, List.of(
                    new io.omix.server.streams.StreamStore.NewRecord(entity, HEART_RATE, io.omix.server.common.time.PartialTime.parse("2026-02-03 04:05:06.5+08:00"),
                            JSON.readTree("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":61,\"unit\":\"/min\"}}")),
                    new io.omix.server.streams.StreamStore.NewRecord(entity, HEART_RATE, io.omix.server.common.time.PartialTime.parse("2026-03"),
                            JSON.readTree("72"))), false);
            // More records than an export reads a statement (StreamStore.EXPORT_READ): every one goes into the archive and
            // comes back, in order; and, in a series of their own, 150 of one time (told apart by their tie-breaker only, which
            // a restore draws anew, so they are counted, not compared in order).
            List<io.omix.server.streams.StreamStore.NewRecord> many = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                many.add(new io.omix.server.streams.StreamStore.NewRecord(entity, HEART_RATE,
                        io.omix.server.common.time.PartialTime.parse(String.format("2025-01-01 %02d:%02d:00+00:00", i / 60, i % 60)), JSON.readTree(String.valueOf(50 + i % 40))));
            }
            streams.write(io.omix.server.streams.StreamStore.OPEN_PLATFORM, many, false);
            List<io.omix.server.streams.StreamStore.NewRecord> sameTime = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                sameTime.add(new io.omix.server.streams.StreamStore.NewRecord(entity, BODY_WEIGHT,
                        io.omix.server.common.time.PartialTime.parse("2025-01-01 01:39:00+00:00"), JSON.readTree(String.valueOf(300 + i))));
            }
            streams.write(io.omix.server.streams.StreamStore.OPEN_PLATFORM, sameTime, true);
            before = answers(person.api(), person.sample());
            assertEquals(252, before.get("range_stream").lines().count());
            assertTrue(person.api().setBeaconChoice(true).getBoolean("beacon_opt_out"), "her objection to the Beacon moves with her data");

            Model task = person.api().exportData(archive, Duration.ofMinutes(2));
            assertEquals("SUCCESS", task.getString("progress"), task.dumps());
            Model result = task.getModel("result");
            assertEquals(1, result.getInt("samples"));
            assertEquals(2, result.getInt("files"), "the person's report and their model's package");
            assertEquals(sha256(Files.readAllBytes(archive)), result.getString("sha256"), "the download is the archive the task stored");
            // The link to everything the person has is signed as the task is read, never stored in clear with its result.
            assertTrue(result.getString("url").contains("Grant="), result.getString("url"));
            String stored = platform.database().jdbc().queryOne("SELECT result FROM tasks WHERE task_id = ?", rs -> rs.getString(1),
                    task.getString("task_id")).orElseThrow();
            assertTrue(!stored.contains("Signature") && stored.contains("object_name"), stored);

            // Another person cannot see the task, nor sign a link to the archive.
            assertEquals(41001, assertThrows(ApiException.class, () -> other.api().task(task.getString("task_id"))).code());
            assertThrows(ApiException.class, () -> other.api().getDownloadUrl(result.getString("object_name")));
            // The archive is among the person's files: they can sign a new link when this one expires.
            assertTrue(person.api().getDownloadUrl(result.getString("object_name")).getString("url").contains("/oss/objects/exports/"));
            // An application the person allowed their files (not their grants) neither lists, signs nor reads it by DRS.
            Identity.Client filesApp = Identity.confidentialClient(s);
            String appToken = Identity.userToken(s, filesApp, person.who().userId(), "files samples").accessToken();
            String drsPath = "/ga4gh/drs/v1/objects/" + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(result.getString("object_name").getBytes(StandardCharsets.UTF_8));
            java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> get = (path, token) -> {
                try {
                    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url() + path))
                            .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            String listed = get.apply("/oss/objects", appToken).body();
            assertTrue(listed.contains(person.object()) && !listed.contains("exports/"), listed);
            try (Api filesOnly = Api.builder(appToken).endpoint(s.url()).build()) {
                assertEquals(42007, assertThrows(ApiException.class, () -> filesOnly.getDownloadUrl(result.getString("object_name"))).code());
            }
            assertEquals(404, get.apply(drsPath, appToken).statusCode());
            assertEquals(200, get.apply(drsPath, person.api().accessToken()).statusCode(), "the person's own tool reads it");
            assertTrue(get.apply("/oss/objects", person.api().accessToken()).body().contains("exports/"), "and lists it");

            try (ZipFile zip = new ZipFile(archive.toFile())) {
                JsonNode manifest = JSON.readTree(zip.getInputStream(zip.getEntry("manifest.json")));
                assertEquals("omix-export", manifest.path("format").asText());
                assertEquals(person.who().userId(), manifest.path("user_id").asText());
                Set<String> paths = new LinkedHashSet<>();
                for (JsonNode e : manifest.path("entries")) {
                    String path = e.path("path").asText();
                    paths.add(path);
                    byte[] bytes = zip.getInputStream(zip.getEntry(path)).readAllBytes();
                    assertEquals(e.path("size").asLong(), bytes.length, path);
                    assertEquals(e.path("sha256").asText(), sha256(bytes), path);
                }
                String dirOf = "samples/" + person.sample() + "/";
                for (String expected : List.of("user.json", dirOf + "sample.json", dirOf + "variants.vcf", dirOf + "microbiome/taxon.tsv",
                        dirOf + "microbiome/func-go.tsv", dirOf + "microbiome/gene-IGC_9.9M.tsv", dirOf + "observations.ndjson",
                        "files/" + person.object(), "grants.json", "audit.ndjson")) {
                    assertTrue(paths.contains(expected), expected + " in " + paths);
                }
                assertEquals(person.marker(), text(zip, "files/" + person.object()));
                List<String> observations = text(zip, dirOf + "observations.ndjson").lines().toList();
                assertEquals(7 + 250 + 150, observations.size(), "the records of every series, however many statements read them");
                for (String line : observations) {
                    JsonNode o = JSON.readTree(line);
                    assertEquals("Observation", o.path("resourceType").asText());
                    assertEquals("Patient/" + person.who().userId(), o.path("subject").path("reference").asText());
                    assertEquals("http://loinc.org", o.path("code").path("coding").get(0).path("system").asText());
                }
                assertTrue(observations.stream().anyMatch(l -> l.contains("\"valueQuantity\":{\"value\":61")), "a payload's FHIR value is the Observation's");
                assertTrue(text(zip, "grants.json").contains(place.clientId()));
                assertTrue(text(zip, "audit.ndjson").contains("POST /samples"), "the audit entries about the person");
                assertTrue(text(zip, "audit.ndjson").contains("GET /variants"), "the other person's probe of the sample is there");
                assertFalse(text(zip, "audit.ndjson").contains("\"source\""), "no entry's address");
                // Nothing of the other person.
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    String body = new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.ISO_8859_1);
                    for (String needle : List.of(other.sample(), other.who().userId(), other.marker(), "someoneelse")) {
                        assertFalse(body.contains(needle) || e.getName().contains(needle), e.getName() + " holds " + needle);
                    }
                }
            }
            other.api().close();
            person.api().close();
        }

        // A fresh server: the operator creates the account and restores the archive into it.
        try (TestServer fresh = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(fresh);
            Identity.Person again = Identity.user(fresh, "exportme", "exportme@example.org");
            ArchiveRestore.Restored restored = new ArchiveRestore(platform).restore(archive, "exportme");
            assertEquals(List.of(person.sample()), restored.samples());
            assertEquals(2, restored.files());
            assertEquals(2 + 250 + 150, restored.observations(), "the open platform's; the five a partner of the old server wrote stay in the archive");
            assertTrue(new io.omix.server.users.UserStore(platform).beaconOptOut(again.userId()), "her Beacon opt-out came with the archive");
            String token = new io.omix.server.oauth.TokenStore(platform).issue(io.omix.server.oauth.TokenStore.newFamily(), ErasureTest.ownTool(platform),
                    again.userId(), OAuthClient.AUTHORIZATION_CODE, "samples variants microbiome streams files grants", null, true).accessToken();
            try (Api api = Api.builder(token).endpoint(fresh.url()).build()) {
                Map<String, String> after = answers(api, person.sample());
                for (String key : before.keySet()) assertEquals(before.get(key), after.get(key), key);
                ByteArrayOutputStream file = new ByteArrayOutputStream();
                api.download(person.object(), file);
                assertEquals(person.marker(), file.toString(StandardCharsets.UTF_8));
            }
            // A partner here whose namespace has the old partner's name sees nothing of the person.
            var namesake = new io.omix.server.apps.PrivateAppStore(platform).create("Namesake", "EXPORT_APP");
            try (PrivateApi partner = PrivateApi.builder(namesake.app().appKey(), namesake.appSecret()).endpoint(fresh.url()).build()) {
                assertEquals(0, partner.getSamples(null, null, null, null).getList("result").size(), "the restored sample is no partner's here");
            }
            // Restoring twice is refused before anything is written.
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(archive, "exportme"));
            assertTrue(twice.getMessage().contains("exists already"), twice.getMessage());

            // A restore killed before its last step (its journal row left, held by no process) left its samples and files
            // visible, and could not be run again ("exists already"). Run again, it first takes back what the stopped one
            // wrote, then restores all of it; left alone, housekeeping takes it back.
            io.omix.server.common.db.Jdbc jdbc = platform.database().jdbc();
            Runnable killedJustBeforeItsEnd = () -> jdbc.update("INSERT INTO archive_restores (user_id, samples, files, profile, started_at) VALUES (?, ?, ?, ?, ?)",
                    again.userId(), person.sample(), String.join("\n", jdbc.query("SELECT object_name FROM file_objects WHERE owner = ?", rs -> rs.getString(1),
                            "user:" + again.userId())), "{}", platform.now().minusMinutes(5));
            killedJustBeforeItsEnd.run();
            ArchiveRestore.Restored rerun = new ArchiveRestore(platform).restore(archive, "exportme");
            assertEquals(List.of(person.sample()), rerun.samples(), "run again: undone, then restored whole");
            assertEquals(2, rerun.files());
            assertEquals(0, jdbc.queryOne("SELECT COUNT(*) FROM archive_restores", rs -> rs.getInt(1)).orElseThrow(), "its journal goes with its last step");
            killedJustBeforeItsEnd.run();
            assertEquals(1L, fresh.server().housekeeping().runNow().get("interrupted_restores"));
            assertTrue(new io.omix.server.samples.SampleStore(platform).find(person.sample()).isEmpty(), "left alone: housekeeping took the sample back");
            assertEquals(0, jdbc.queryOne("SELECT COUNT(*) FROM file_objects WHERE owner = ?", rs -> rs.getInt(1), "user:" + again.userId()).orElseThrow(),
                    "and the files");
            io.omix.server.users.User undone = new io.omix.server.users.UserStore(platform).findById(again.userId()).orElseThrow();
            assertEquals(null, undone.email(), "and the profile is as the journal says it was (here: empty), not kept where it was empty");
            assertFalse(new io.omix.server.users.UserStore(platform).beaconOptOut(again.userId()), "and the Beacon choice");
            assertEquals(List.of(person.sample()), new ArchiveRestore(platform).restore(archive, "exportme").samples(), "and it restores again");
            // A restore under way (its row held) is neither undone by housekeeping nor joined by a second one.
            try (java.sql.Connection running = platform.database().dataSource().getConnection()) {
                running.setAutoCommit(false);
                io.omix.server.common.db.Jdbc.update(running, "INSERT INTO archive_restores (user_id, samples, files, profile, started_at) VALUES (?, ?, ?, ?, ?)",
                        again.userId(), person.sample(), "", "{}", platform.now().minusMinutes(5));
                running.commit();
                io.omix.server.common.db.Jdbc.query(running, "SELECT 1 FROM archive_restores WHERE user_id = ? FOR UPDATE", rs -> 1, again.userId());
                assertEquals(0L, fresh.server().housekeeping().runNow().get("interrupted_restores"), "held: not undone");
                assertTrue(new io.omix.server.samples.SampleStore(platform).find(person.sample()).isPresent());
                IllegalArgumentException underWay = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(archive, "exportme"));
                assertTrue(underWay.getMessage().contains("under way"), underWay.getMessage());
                running.rollback();
            }
        }
    }

    /**
     * A sample erased while its person's export is being written (here: while a large file of theirs is copied into
     * the archive, after the sample's data) is not in the archive that is recorded: the export holds the samples it
     * wrote, finds one gone, and is written again without it. An archive recorded with the erased sample in it would
     * outlive the erasure, which looked for archives before this one existed.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSampleErasedWhileTheExportIsWrittenIsNotInTheArchive(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            Place place = Place.of(s, "racing", "RACE_APP");
            ErasureTest.Person person = place.person("racing");
            byte[] large = new byte[96 << 20];
            new java.util.Random(7).nextBytes(large);
            person.api().upload("zz-large.bin", large);

            String taskId = person.api().requestExport().getString("task_id");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            io.omix.server.tasks.TaskEngine.Task running = platform.tasks().byTaskId(taskId).orElseThrow();
            while (running.progress() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
                running = platform.tasks().byTaskId(taskId).orElseThrow();
            }
            assertEquals(io.omix.server.privacy.Erasure.PersonsSample.ERASED,
                    new io.omix.server.privacy.Erasure(platform).eraseSampleOf(person.who().userId(), person.sample()));
            io.omix.server.tasks.TaskEngine.Task afterErasure = platform.tasks().byTaskId(taskId).orElseThrow();
            assertTrue(afterErasure.progress() > 0 && afterErasure.progress() < 90 && afterErasure.completedAt() == null,
                    "the erasure committed after the sample was written and before the archive was: " + afterErasure);

            Model done = person.api().waitFor(person.api().task(taskId), Duration.ofMinutes(2));
            assertEquals("SUCCESS", done.getString("progress"), done.dumps());
            assertEquals(0, done.getModel("result").getInt("samples"), done.dumps());
            assertEquals(2, platform.tasks().byTaskId(taskId).orElseThrow().attempts(), "written once more without the sample");
            String archive = done.getModel("result").getString("object_name");
            List<String> exports = new ArrayList<>();
            platform.objects().forEachObjectWrittenBefore(java.time.Instant.now().plusSeconds(60), key -> {
                if (key.startsWith("exports/")) exports.add(key);
            });
            assertEquals(List.of(archive), exports, "the first attempt's archive, taken back, left no bytes");
            try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(platform.objects().open(archive))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    assertFalse(e.getName().startsWith("samples/"), e.getName());
                    if (e.getName().equals("manifest.json")) {
                        assertEquals(0, new ObjectMapper().readTree(zip.readAllBytes()).path("samples").size());
                    }
                }
            }
        }
    }

    /**
     * The export of a person with files and no samples, recorded while their account is being erased: the recording waits
     * for the erasure (it holds the person's row, as the erasure takes it first) and is then refused, leaving neither an
     * archive's row nor its bytes. Before, nothing held the archive back (no sample to hold): it was recorded beside the
     * erasure, which had listed the person's files already, and outlived it with their profile and files.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anExportRecordedAsItsAccountIsErasedLeavesNoArchive(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String clientId = ErasureTest.ownTool(platform);
            Identity.Person who = Identity.user(s, "leaving", "leaving@example.org");
            String uid = who.userId();
            try (Api api = ErasureTest.ownToolApi(s, clientId, who, "files grants")) {
                api.upload("notes.txt", "notes of someone leaving");
                try (java.sql.Connection erasing = ErasureTest.accountErasureInFlight(platform, uid)) {
                    String task = api.requestExport().getString("task_id");
                    assertTrue(io.omix.server.testing.LockWaits.awaitWaiter(platform, Duration.ofSeconds(30),
                            () -> platform.tasks().byTaskId(task).orElseThrow().completedAt() != null), "the archive's recording waits for the erasure in flight");
                    assertEquals(1, exports(platform).size(), "the archive is written and waits to be recorded");
                    ErasureTest.finishAccountErasure(erasing, uid);
                }
                // The export's attempt ends (refused: the account is gone); nothing of it is recorded or kept.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!exports(platform).isEmpty() && System.nanoTime() < deadline) Thread.sleep(100);
                assertEquals(List.of(), exports(platform), "no bytes of an archive stay");
                assertEquals(0L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM file_objects WHERE owner = ?", rs -> rs.getLong(1), "user:" + uid)
                        .orElseThrow(), "no archive's row stays");
            }
        }
    }

    /** The names of the export archives' objects in the store. */
    private static List<String> exports(Platform platform) throws java.io.IOException {
        List<String> exports = new ArrayList<>();
        platform.objects().forEachObjectWrittenBefore(java.time.Instant.now().plusSeconds(60), key -> {
            if (key.startsWith(io.omix.server.privacy.ExportArchive.OBJECT_PREFIX)) exports.add(key);
        });
        return exports;
    }

    /**
     * A gene profile imported again while the archive is being written (its table read a thousand rows a statement, the
     * new import committed after the first statements) is in the archive as it was when the archive began, whole: none
     * of the new rows, none of the old ones missing. The next export holds the new profile.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aProfileImportedAgainWhileTheArchiveIsWrittenIsInItAsItWas(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            ErasureTest.Person person = Place.of(s, "snapshot", "SNAPSHOT_APP").person("snapshot");
            io.omix.server.microbiome.ProfileImporter profiles = new io.omix.server.microbiome.ProfileImporter(platform);
            String file = "samples/" + person.sample() + "/microbiome/gene-IGC_9.9M.tsv";
            profiles.importGenes(person.sample(), "IGC_9.9M", genes("g", 3000, "1.5", "kegg"), "IGC_PROFILING");

            // The archive's bytes: once the gene table's entry has begun and some of its rows are written, the profile is
            // imported again (other genes, another annotation column), committed before the rest of the table is read.
            boolean[] importedAgain = {false};
            ByteArrayOutputStream archive = new ByteArrayOutputStream() {
                private int afterEntry = -1;

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    super.write(b, off, len);
                    if (afterEntry < 0 && new String(b, off, len, StandardCharsets.ISO_8859_1).contains(file)) afterEntry = 0;
                    else if (afterEntry >= 0 && !importedAgain[0] && (afterEntry += len) > 16 << 10) {
                        importedAgain[0] = true;
                        profiles.importGenes(person.sample(), "IGC_9.9M", genes("h", 2000, "2.5", "cog"), "IGC_PROFILING");
                    }
                }
            };
            new io.omix.server.privacy.ExportArchive(platform).write(person.who().userId(), archive, progress -> {});
            assertTrue(importedAgain[0], "the import ran while the gene table was written");
            List<String> lines = entry(archive.toByteArray(), file);
            assertEquals("gene_id\tgene_name\tabundance\tkegg", lines.get(0));
            assertEquals(3001, lines.size(), "every gene of the profile as it was, and no other");
            for (int i = 1; i < lines.size(); i++) {
                String[] cols = lines.get(i).split("\t", -1);
                assertEquals(String.format("g%05d", i - 1), cols[0]);
                assertEquals("1.5", cols[2], lines.get(i));
            }

            ByteArrayOutputStream next = new ByteArrayOutputStream();
            new io.omix.server.privacy.ExportArchive(platform).write(person.who().userId(), next, progress -> {});
            List<String> now = entry(next.toByteArray(), file);
            assertEquals("gene_id\tgene_name\tabundance\tcog", now.get(0));
            assertEquals(2001, now.size());
            assertTrue(now.stream().skip(1).allMatch(l -> l.startsWith("h") && l.split("\t")[2].equals("2.5")), now.get(1));
        }
    }

    /** A gene table of {@code count} genes named {@code prefix} and a number, with one annotation column of random hex. */
    private static java.io.InputStream genes(String prefix, int count, String abundance, String column) {
        java.util.Random random = new java.util.Random(count);
        StringBuilder table = new StringBuilder("gene_id\tabundance\t" + column + "\n");
        for (int i = 0; i < count; i++) {
            byte[] noise = new byte[48];
            random.nextBytes(noise);
            table.append(String.format("%s%05d", prefix, i)).append('\t').append(abundance).append('\t').append(HexFormat.of().formatHex(noise)).append('\n');
        }
        return new java.io.ByteArrayInputStream(table.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The lines of one entry of a zip archive. */
    private static List<String> entry(byte[] zip, String name) throws Exception {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(name)) return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            }
        }
        throw new AssertionError("no entry " + name);
    }

    /**
     * A person's archive holds their samples as they were: it goes when one of them is erased, when the person exports
     * again (one archive a person, not a pile outside their file quota), and when its link has expired.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anArchiveGoesWithTheSampleItHoldsWithTheNextExportAndWithItsLink(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = TestServer.builder().database(kind).clock(clock).setting("housekeeping.interval-seconds", "0").start()) {
            Platform platform = Identity.platform(s);
            Place place = Place.of(s, "archives", "ARCHIVE_APP");
            ErasureTest.Person person = place.person("archived");
            java.util.function.Supplier<List<String>> archives = () -> platform.database().jdbc().query(
                    "SELECT object_name FROM file_objects WHERE object_name LIKE 'exports/%'", rs -> rs.getString(1));

            Model firstTask = person.api().exportData(dir.resolve("first.zip"), Duration.ofMinutes(2));
            Model first = firstTask.getModel("result");
            // An application the person allowed their profile holds a token of theirs, not their export.
            String profileOnly = Identity.userToken(s, Identity.confidentialClient(s), person.who().userId(), "profile").accessToken();
            try (Api profileApp = Api.builder(profileOnly).endpoint(s.url()).build()) {
                assertEquals(41001, assertThrows(ApiException.class, () -> profileApp.task(firstTask.getString("task_id"))).code());
            }
            assertEquals(200, CredentialLifetimesTest.linkStatus(first.getString("url")));
            // Another of the person's own tools reads the same task: its link is signed for that tool's grant, the one reading,
            // not for the grant that asked, so that it dies with the reader's (revoking a stolen tool ends what it was handed).
            String otherTool = ErasureTest.ownTool(platform);
            String otherUrl;
            try (Api other = ErasureTest.ownToolApi(s, otherTool, person.who(), "grants")) {
                otherUrl = other.task(firstTask.getString("task_id")).getModel("result").getString("url");
            }
            assertFalse(otherUrl.equals(first.getString("url")), "a link of its own");
            assertEquals(200, CredentialLifetimesTest.linkStatus(otherUrl));
            person.api().revokeGrant(otherTool);
            assertEquals(403, CredentialLifetimesTest.linkStatus(otherUrl), "the reader's link went with its grant");
            assertEquals(200, CredentialLifetimesTest.linkStatus(first.getString("url")), "the asking tool's link stands");
            clock.advance(Duration.ofSeconds(2));
            Model second = person.api().exportData(dir.resolve("second.zip"), Duration.ofMinutes(2)).getModel("result");
            assertEquals(List.of(second.getString("object_name")), archives.get(), "the earlier archive went with the next one");
            // Its bytes go as soon as the new archive's task has committed (a moment after it is seen done), not with a later sweep.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (platform.objects().size(first.getString("object_name")).isPresent() && System.nanoTime() < until) Thread.sleep(20);
            assertTrue(platform.objects().size(first.getString("object_name")).isEmpty(), "its bytes at once, not with a later sweep");
            assertEquals(404, CredentialLifetimesTest.linkStatus(first.getString("url")));
            assertEquals(200, CredentialLifetimesTest.linkStatus(second.getString("url")));

            assertEquals(io.omix.server.privacy.Erasure.PersonsSample.ERASED,
                    new io.omix.server.privacy.Erasure(platform).eraseSampleOf(person.who().userId(), person.sample()));
            assertEquals(List.of(), archives.get(), "the archive held the erased sample");
            assertEquals(404, CredentialLifetimesTest.linkStatus(second.getString("url")));
            assertTrue(platform.objects().size(second.getString("object_name")).isEmpty(), "its bytes too");

            Model third = person.api().exportData(dir.resolve("third.zip"), Duration.ofMinutes(2)).getModel("result");
            clock.advance(Duration.ofHours(25));
            assertEquals(1L, s.server().housekeeping().runNow().get("export_archives"));
            assertEquals(List.of(), archives.get(), "an archive lives as long as its link");
            assertTrue(platform.objects().size(third.getString("object_name")).isEmpty());
        }
    }

    @Test
    void aDamagedArchiveIsRefusedBeforeAnythingIsWritten() throws Exception {
        try (TestServer s = TestServer.builder().database("h2").start()) {
            Platform platform = Identity.platform(s);
            String project = new SampleStore(platform).createProject("export", 1, null, null, null).projectId();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", "EXPORT_APP");
            long batchNo = new BatchStore(platform).register(app.app().namespace(), "batch", "items").batchNo();
            ErasureTest.Person person = ErasureTest.person(s, "damaged", project, ErasureTest.ownTool(platform), app.app().namespace(), batchNo);
            Path archive = dir.resolve("damaged.zip");
            person.api().exportData(archive, Duration.ofMinutes(2));
            // One byte of the VCF changed, the manifest left as it was.
            Path tampered = rewritten(archive, dir.resolve("tampered.zip"), entries -> entries.replaceAll((name, bytes) -> !name.endsWith("variants.vcf") ? bytes
                    : new String(bytes, StandardCharsets.UTF_8).replace("rs100", "rs109").getBytes(StandardCharsets.UTF_8)));
            person.api().deleteSample(person.sample());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(tampered, "damaged"));
            assertTrue(refused.getMessage().contains("variants.vcf does not match its manifest"), refused.getMessage());
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "nothing was written");

            // A sample view whose import settings exceed the API's limits, the manifest made to match: refused before anything is written too.
            Path overlong = withVariants(archive, dir.resolve("overlong.zip"), person.sample(), v -> v.put("pipeline_version", "p".repeat(65)));
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(overlong, "damaged"));
            assertEquals("pipeline_version is longer than 64 characters", tooLong.getMessage());
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "nothing was written");
            // An import time that is none, or one no answer can write: refused before anything is written.
            Path notATime = withVariants(archive, dir.resolve("not-a-time.zip"), person.sample(), v -> v.put("imported_at", "x"));
            assertEquals("a variant import's imported_at is not a time: x",
                    assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(notATime, "damaged")).getMessage());
            Path farOut = withVariants(archive, dir.resolve("far-out.zip"), person.sample(), v -> v.put("imported_at", "+999999999-12-31T23:59:59-18:00"));
            assertEquals("a variant import's imported_at is out of range: +999999999-12-31T23:59:59-18:00",
                    assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(farOut, "damaged")).getMessage());
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "nothing was written");
            // A sample's fields as the API never writes them: a text where a number goes, a field put in another group, a status
            // no sample has. Each would break the typed records an application reads the sample with: refused before anything is written.
            Path notANumber = withSampleView(archive, dir.resolve("not-a-number.zip"), person.sample(),
                    v -> ((com.fasterxml.jackson.databind.node.ObjectNode) v.path("fields")).putObject("statistics").put("depth", "deep"));
            String why = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(notANumber, "damaged")).getMessage();
            assertTrue(why.startsWith("sample " + person.sample() + " in the archive: ") && why.contains("depth"), why);
            Path misplaced = withSampleView(archive, dir.resolve("misplaced.zip"), person.sample(),
                    v -> ((com.fasterxml.jackson.databind.node.ObjectNode) v.path("fields")).putObject("library").put("depth", 30));
            why = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(misplaced, "damaged")).getMessage();
            assertTrue(why.contains("library.depth=is not a field of that group"), why);
            Path strangeStatus = withSampleView(archive, dir.resolve("status.zip"), person.sample(), v -> v.put("status", 12345));
            why = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(strangeStatus, "damaged")).getMessage();
            assertTrue(why.contains("status=must be one of"), why);
            Path notACollectionTime = withSampleView(archive, dir.resolve("collected.zip"), person.sample(), v -> v.put("sample_collection_time", "soon"));
            assertEquals("a sample's sample_collection_time is not a time: soon",
                    assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(notACollectionTime, "damaged")).getMessage());
            Path farOff = withSampleView(archive, dir.resolve("far-off.zip"), person.sample(), v -> v.put("create_time", "+12026-01-01T00:00Z"));
            why = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(farOff, "damaged")).getMessage();
            assertTrue(why.contains("create_time is out of range"), why);
            Path unnamed = withSampleView(archive, dir.resolve("unnamed.zip"), person.sample(),
                    v -> ((com.fasterxml.jackson.databind.node.ObjectNode) v.withArray("projects").get(0)).put("name", ""));
            why = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(unnamed, "damaged")).getMessage();
            assertTrue(why.contains("a name of 1-200 characters"), why);
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "nothing was written");

            // A VCF that is no VCF past its header (the manifest made to match) is found only as it is read: the sample,
            // the profile and everything else the restore wrote before it are taken back.
            String nickname = new io.omix.server.users.UserStore(platform).findByUsername("damaged").orElseThrow().nickname();
            Path broken = rewritten(archive, dir.resolve("broken.zip"), entries -> {
                for (String name : new ArrayList<>(entries.keySet())) {
                    if (name.endsWith("variants.vcf")) entries.put(name, (new String(entries.get(name), StandardCharsets.UTF_8)
                            + "1\tnot-a-position\trs1\tA\tG\t.\tPASS\t.\tGT\t0/1\n").getBytes(StandardCharsets.UTF_8));
                    if (name.equals("user.json")) {
                        com.fasterxml.jackson.databind.node.ObjectNode user = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get(name));
                        entries.put(name, JSON.writeValueAsBytes(user.put("nickname", "Restored")));
                    }
                }
                com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
                for (JsonNode e : manifest.path("entries")) {
                    byte[] bytes = entries.get(e.path("path").asText());
                    if (bytes != null) ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("sha256", sha256(bytes)).put("size", bytes.length);
                }
                manifest.putArray("files");   // the person's file is still on this server: restored without it
                entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
            });
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(broken, "damaged"));
            assertTrue(bad.getMessage().contains("malformed VCF"), "refused as the VCF was read: " + bad.getMessage());
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "the sample written before the bad entry was taken back");
            assertEquals(nickname, new io.omix.server.users.UserStore(platform).findByUsername("damaged").orElseThrow().nickname(), "and the profile");
            person.api().close();
        }
    }

    /**
     * An archive is the person's data and nothing else: whatever it says, a restore adds no data element to the catalog
     * everyone's FHIR writes pick from, puts no file under a name the platform gives its own (a sample's gene table),
     * never puts the sample into a project this server publishes to the Beacon, and reads each entry once, no further
     * than its stated size (an attack review: an archive is made by its person, and could be forged).
     */
    @Test
    void aForgedArchiveReachesNothingBeyondThePerson() throws Exception {
        try (TestServer s = TestServer.builder().database("h2").start()) {
            Platform platform = Identity.platform(s);
            String project = new SampleStore(platform).createProject("export", 1, null, null, null).projectId();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", "EXPORT_APP");
            long batchNo = new BatchStore(platform).register(app.app().namespace(), "batch", "items").batchNo();
            ErasureTest.Person person = ErasureTest.person(s, "forger", project, ErasureTest.ownTool(platform), app.app().namespace(), batchNo);
            Path archive = dir.resolve("forger.zip");
            person.api().exportData(archive, Duration.ofMinutes(2));
            person.api().deleteSample(person.sample());
            // The person's files are still on this server: each archive below is restored without them.
            Path withoutFiles = rewritten(archive, dir.resolve("without-files.zip"), entries -> {
                com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
                manifest.putArray("files");
                entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
            });
            String records = "samples/" + person.sample() + "/observations.ndjson";
            var jdbc = platform.database().jdbc();
            long elements = jdbc.queryOne("SELECT COUNT(*) FROM data_elements", rs -> rs.getLong(1)).orElseThrow();

            // An open-platform record under a data element this server does not have, named to come first in the catalog.
            Path newElement = rewritten(withoutFiles, dir.resolve("new-element.zip"), entries -> {
                String first = new String(entries.get(records), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
                com.fasterxml.jackson.databind.node.ObjectNode observation = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(first);
                for (JsonNode ext : observation.path("extension")) {
                    for (JsonNode field : ext.path("extension")) {
                        var f = (com.fasterxml.jackson.databind.node.ObjectNode) field;
                        switch (field.path("url").asText()) {
                            case "namespace" -> f.put("valueString", io.omix.server.streams.StreamStore.OPEN_PLATFORM);
                            case "dataElement" -> f.put("valueString", "0190c0de-0000-7000-8000-00000000a11a");
                            case "dataElementName" -> f.put("valueString", "AAA heart rate");
                            default -> { }
                        }
                    }
                }
                entries.put(records, (JSON.writeValueAsString(observation) + "\n").getBytes(StandardCharsets.UTF_8));
                matchManifest(entries);
            });
            IllegalArgumentException element = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(newElement, "forger"));
            assertTrue(element.getMessage().contains("is not in this server's catalog"), element.getMessage());
            assertEquals(elements, jdbc.queryOne("SELECT COUNT(*) FROM data_elements", rs -> rs.getLong(1)).orElseThrow(), "the catalog is as it was");
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "and nothing of the restore stays");

            // A record's data holding half of a surrogate pair one level down (escaped in the line, a character once read):
            // refused as the write API refuses it (stored, it made every page of its stream an error on the embedded store).
            // (One the open platform wrote: a partner's record is left in the archive before it is read.)
            Path lone = rewritten(withoutFiles, dir.resolve("lone.zip"), entries -> {
                String first = new String(entries.get(records), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
                com.fasterxml.jackson.databind.node.ObjectNode observation = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(first);
                for (JsonNode ext : observation.path("extension")) {
                    for (JsonNode field : ext.path("extension")) {
                        var f = (com.fasterxml.jackson.databind.node.ObjectNode) field;
                        if (field.path("url").asText().equals("data")) f.put("valueString", "{\"v\":\"\\ud800\"}");
                        if (field.path("url").asText().equals("namespace")) f.put("valueString", io.omix.server.streams.StreamStore.OPEN_PLATFORM);
                    }
                }
                entries.put(records, (JSON.writeValueAsString(observation) + "\n").getBytes(StandardCharsets.UTF_8));
                matchManifest(entries);
            });
            IllegalArgumentException data = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(lone, "forger"));
            assertTrue(data.getMessage().contains("its data is not JSON a record holds"), data.getMessage());
            // A profile field longer than its column holds: refused by name, not a storage error.
            Path longName = rewritten(withoutFiles, dir.resolve("long-name.zip"), entries -> {
                com.fasterxml.jackson.databind.node.ObjectNode user = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("user.json"));
                user.put("nickname", "n".repeat(101));
                entries.put("user.json", JSON.writeValueAsBytes(user));
                matchManifest(entries);
            });
            IllegalArgumentException nickname = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(longName, "forger"));
            assertTrue(nickname.getMessage().contains("nickname"), nickname.getMessage());
            assertTrue(new SampleStore(platform).find(person.sample()).isEmpty(), "nothing of either restore stays");

            // A file under a sample's gene-table name.
            Path planted = rewritten(archive, dir.resolve("planted.zip"), entries -> {
                com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
                ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.path("files").get(0)).put("object_name",
                        "microbiome/" + person.sample() + "/genes-IGC_9.9M-1.tsv");
                entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
            });
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(planted, "forger"));
            assertTrue(name.getMessage().contains("cannot store"), name.getMessage());

            // One entry listed twice in the manifest: read once, refused.
            Path twice = rewritten(withoutFiles, dir.resolve("twice.zip"), entries -> {
                com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
                ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.path("entries")).add(manifest.path("entries").get(0).deepCopy());
                entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
            });
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new ArchiveRestore(platform).restore(twice, "forger")).getMessage().contains("twice"));

            // A partner's record naming the open platform first and its partner after: read as it would be written (the
            // last), it is the partner's and stays in the archive; it is not written into the partner's namespace either.
            Path twoNamespaces = rewritten(withoutFiles, dir.resolve("two-namespaces.zip"), entries -> {
                StringBuilder lines = new StringBuilder();
                for (String line : new String(entries.get(records), StandardCharsets.UTF_8).lines().toList()) {
                    com.fasterxml.jackson.databind.node.ObjectNode observation = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
                    for (JsonNode ext : observation.path("extension")) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) ext.path("extension")).insertObject(0).put("url", "namespace")
                                .put("valueString", io.omix.server.streams.StreamStore.OPEN_PLATFORM);
                    }
                    lines.append(JSON.writeValueAsString(observation)).append('\n');
                }
                entries.put(records, lines.toString().getBytes(StandardCharsets.UTF_8));
                matchManifest(entries);
            });
            // The sample's project, published to the Beacon here meanwhile: the restore leaves the sample out of it.
            jdbc.update("UPDATE projects SET beacon_public = 'count' WHERE project_id = ?", project);
            new ArchiveRestore(platform).restore(twoNamespaces, "forger");
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM stream_series WHERE namespace <> ?", rs -> rs.getLong(1),
                    io.omix.server.streams.StreamStore.OPEN_PLATFORM).orElseThrow(), "nothing written into a partner's namespace");
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM stream_records", rs -> rs.getLong(1)).orElseThrow(), "nor the open platform's");
            assertTrue(new SampleStore(platform).find(person.sample()).isPresent(), "restored");
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM sample_projects WHERE biosample_id = ?", rs -> rs.getLong(1), person.sample()).orElseThrow(),
                    "not in the published project");
            person.api().close();
        }
    }

    /** The manifest's sizes and checksums made to match the entries as they are now. */
    private static void matchManifest(Map<String, byte[]> entries) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
        for (JsonNode e : manifest.path("entries")) {
            byte[] bytes = entries.get(e.path("path").asText());
            if (bytes != null) ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("sha256", sha256(bytes)).put("size", bytes.length);
        }
        entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
    }

    /** {@code archive} written again to {@code to} with the variants block of {@code sample}'s view changed by {@code edit}, the manifest made to match. */
    private static Path withVariants(Path archive, Path to, String sample, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) throws Exception {
        return withSampleView(archive, to, sample, view -> edit.accept((com.fasterxml.jackson.databind.node.ObjectNode) view.path("variants")));
    }

    /** {@code archive} written again to {@code to} with {@code sample}'s view changed by {@code edit}, the manifest made to match. */
    private static Path withSampleView(Path archive, Path to, String sample, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit) throws Exception {
        return rewritten(archive, to, entries -> {
            String view = "samples/" + sample + "/sample.json";
            com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get(view));
            edit.accept(json);
            entries.put(view, JSON.writeValueAsBytes(json));
            com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(entries.get("manifest.json"));
            for (JsonNode e : manifest.path("entries")) {
                if (e.path("path").asText().equals(view)) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("sha256", sha256(entries.get(view))).put("size", entries.get(view).length);
                }
            }
            entries.put("manifest.json", JSON.writeValueAsBytes(manifest));
        });
    }

    /** What an archive edit does to the entries (name to bytes, in the archive's order). */
    private interface ArchiveEdit {
        void apply(Map<String, byte[]> entries) throws Exception;
    }

    /** {@code archive} written again to {@code to}, its entries changed by {@code edit}. */
    private static Path rewritten(Path archive, Path to, ArchiveEdit edit) throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile in = new ZipFile(archive.toFile())) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) entries.put(e.getName(), in.getInputStream(e).readAllBytes());
        }
        edit.apply(entries);
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            for (var e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        return to;
    }

    /** A first-party tool allowed the grants scope (exports, like grants, are the person's own business). */

    /** What the open platform answers about the sample, minus the ids an import draws afresh. */
    private static Map<String, String> answers(Api api, String sample) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("get_sample", api.getSample(sample).dumps());
        out.put("get_variants", strip(api.getVariants(sample, RSIDS).dumps(), "variant_id"));
        // The background is the server's cohort, not the person's data: it differs between servers.
        out.put("taxon_abundance", strip(all(api.taxonAbundances(sample)), "background"));
        out.put("func_abundance", all(api.funcAbundances(sample, "go")));
        out.put("gene_abundance", all(api.geneAbundances(sample, "IGC_9.9M")));
        List<String> records = new ArrayList<>();
        for (Model r : api.rangeStreams(HEART_RATE, sample, "2000-01-01", "2100-01-01", "asc")) records.add(strip(r.dumps(), "stream_id", "create_time"));
        out.put("range_stream", String.join("\n", records));
        return out;
    }

    private static String all(Iterable<Model> items) {
        List<String> out = new ArrayList<>();
        for (Model m : items) out.add(m.dumps());
        assertFalse(out.isEmpty());
        return "[" + String.join(",", out) + "]";
    }

    private static String strip(String json, String... fields) throws Exception {
        JsonNode node = JSON.readTree(json);
        strip(node, Set.of(fields));
        return node.toString();
    }

    private static void strip(JsonNode node, Set<String> fields) {
        if (node instanceof ObjectNode o) o.remove(fields);
        for (JsonNode child : node) strip(child, fields);
    }

    private static String text(ZipFile zip, String path) throws Exception {
        return new String(zip.getInputStream(zip.getEntry(path)).readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
