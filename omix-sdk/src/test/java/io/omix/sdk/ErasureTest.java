package io.omix.sdk;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Platform;
import io.omix.server.batches.BatchStore;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.time.PartialTime;
import io.omix.server.microbiome.ProfileImporter;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.ConsentStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.StreamStore;
import io.omix.server.testing.TestServer;
import io.omix.server.users.SessionStore;
import io.omix.server.variants.VcfImporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The right to be forgotten, checked as an auditor would: after a person with data of every kind
 * erases their account, no column of any table of the schema (read from the database's own catalog,
 * so tables added later are covered) holds their ids, name, email, samples, entity or files, and no
 * object holds their bytes; another person's data is untouched, and the trail records the erasure.
 * On H2 and PostgreSQL.
 */
class ErasureTest {
    static String resource(String path) throws Exception {
        try (InputStream in = ErasureTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A person with a sample holding variants, a full microbiome profile, stream records, data items, and a file. */
    record Person(Identity.Person who, Api api, String sample, String entity, String object, String marker) {}

    static Person person(TestServer s, String name, String project, String clientId, String namespace, long batchNo) throws Exception {
        Platform platform = Identity.platform(s);
        Identity.Person who = Identity.user(s, name, name + "@example.org");
        String scopes = "samples variants microbiome streams files grants models";
        // Her consent first, as the authorization-code grant records it: what she registers through the tool stands on it.
        new io.omix.server.oauth.ConsentStore(platform).remember(who.userId(), clientId, new LinkedHashSet<>(List.of(scopes.split(" "))));
        String token = new io.omix.server.oauth.TokenStore(platform).issue(io.omix.server.oauth.TokenStore.newFamily(), clientId, who.userId(),
                OAuthClient.AUTHORIZATION_CODE, scopes, null, true).accessToken();
        Api api = Api.builder(token).endpoint(s.url()).build();
        String sample = api.registerSample(name.toUpperCase() + "-1", 11, project).getString("biosample_id");
        new VcfImporter(platform).importVcf(sample, ErasureTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
        ProfileImporter profiles = new ProfileImporter(platform);
        profiles.importTaxa(sample, ErasureTest.class.getResourceAsStream("/microbiome/taxa.tsv"), "MetaPhlAn");
        profiles.importFunctions(sample, "go", ErasureTest.class.getResourceAsStream("/microbiome/go.tsv"), "HUMAnN");
        profiles.importGenes(sample, "IGC_9.9M", ErasureTest.class.getResourceAsStream("/microbiome/igc.tsv"), "IGC_PROFILING");
        api.getGeneAbundance(sample, "IGC_9.9M", "file"); // its gene table, made into a file in the object store
        StreamStore streams = new StreamStore(platform);
        String entity = streams.entityOf(sample);
        List<StreamStore.NewRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(new StreamStore.NewRecord(entity, "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01", PartialTime.parse("2026-01-0" + (i + 1) + " 08:00:00"),
                    JsonNodeFactory.instance.objectNode().put("note", name + " slept badly")));
        }
        streams.write(namespace, records, false);
        new BatchStore(platform).importItems(namespace, batchNo, sample, List.of(new BatchStore.NewItem("8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01",
                JsonNodeFactory.instance.objectNode().put("diary", name + " diary entry"))));
        String marker = "private report of " + name + " " + java.util.UUID.randomUUID();
        String object = api.upload("report.txt", marker);
        // A model the person deployed through the application (theirs: owner client:<client>:user:<person>), and its task.
        api.deployModel(name + "Model", quietModel(name + "-model"), ModelConfig.defaults(), java.time.Duration.ofSeconds(60));
        // The Beacon's count of the person's variant questions through the application (over published cohorts), keyed by their id.
        assertTrue(io.omix.server.common.http.RateLimits.takeOne(platform.database().jdbc(), platform.clock(),
                "beacon:client:" + clientId + ":user:" + who.userId(), platform.clock().millis() / 3_600_000 * 60, 100));
        // The person's own calls through the console, and its Beacon probes: keyed by the console's client id, console:<person>.
        for (String key : List.of("client:console:" + who.userId(), "beacon:application:console:" + who.userId())) {
            assertTrue(io.omix.server.common.http.RateLimits.takeOne(platform.database().jdbc(), platform.clock(), key, platform.clock().millis() / 60_000, 100));
        }
        new ConsentStore(platform).remember(who.userId(), clientId, Set.of("samples", "grants"));
        new SessionStore(platform).start(who.userId()).orElseThrow();
        return new Person(who, api, sample, entity, object, marker);
    }

    /** A first-party tool of the person's (the console, the CLI): the default scopes and grants, by the code grant. */
    static String ownTool(Platform platform) {
        Set<String> scopes = new LinkedHashSet<>(Scope.defaults());
        scopes.add(Scope.GRANTS.id());
        return new ClientStore(platform).create("Own tool", List.of(Identity.REDIRECT), Set.of(OAuthClient.AUTHORIZATION_CODE),
                scopes, false, null).client().clientId();
    }

    /** The person's own tool ({@link #ownTool}) calling for them, with samples and grants. */
    static Api ownToolApi(TestServer s, String clientId, Identity.Person person) throws Exception {
        return ownToolApi(s, clientId, person, "samples grants");
    }

    /** The person's own tool calling for them with {@code scopes} (space-separated). */
    static Api ownToolApi(TestServer s, String clientId, Identity.Person person, String scopes) throws Exception {
        return Api.builder(Identity.userToken(s, new Identity.Client(clientId, null), person.userId(), scopes).accessToken()).endpoint(s.url()).build();
    }

    /** A model's package whose handler answers success at once. */
    static Path quietModel(String name) throws java.io.IOException {
        return InterpretationModelsTest.zipIn(Files.createTempDirectory("erasure-model"), name, "index.py",
                "def handler(event, context):\n    return {'model_code': 0, 'model_msg': 'success', 'model_data': {}}\n");
    }

    /** An account's erasure in flight, on a connection of its own: the person's row held first, as Erasure.eraseUser takes it. */
    static java.sql.Connection accountErasureInFlight(Platform platform, String userId) throws java.sql.SQLException {
        java.sql.Connection erasing = platform.database().dataSource().getConnection();
        erasing.setAutoCommit(false);
        io.omix.server.common.db.Jdbc.query(erasing, "SELECT 1 FROM users WHERE user_id = ? FOR UPDATE", rs -> 1, userId);
        return erasing;
    }

    /** The rest of that erasure, committed: the person's files, tasks, grants, sessions, and the person. */
    static void finishAccountErasure(java.sql.Connection erasing, String userId) throws java.sql.SQLException {
        io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM file_objects WHERE owner = ?", "user:" + userId);
        io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM tasks WHERE owner = ? OR owner LIKE ?", "user:" + userId, "client:%:user:" + userId);
        for (String table : List.of("oauth_tokens", "oauth_codes", "oauth_consents", "user_sessions", "users")) {
            io.omix.server.common.db.Jdbc.update(erasing, "DELETE FROM " + table + " WHERE user_id = ?", userId);
        }
        erasing.commit();
    }

    /**
     * Every (table, column, value) of the schema whose text holds {@code needle}; the audit trail aside (ids only, by design),
     * and the erased people's ids, kept a day for housekeeping's sweep (erased_people, by design too).
     */
    static List<String> traces(Platform platform, String needle) {
        var jdbc = platform.database().jdbc();
        String schema = jdbc.queryOne("SELECT CURRENT_SCHEMA", rs -> rs.getString(1)).orElseThrow();
        List<String[]> columns = jdbc.query("SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = ?",
                rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3).toLowerCase()}, schema);
        List<String> found = new ArrayList<>();
        int textColumns = 0;
        for (String[] c : columns) {
            if (c[0].toLowerCase().startsWith("audit_") || c[0].toLowerCase().startsWith("flyway") || c[0].equalsIgnoreCase("erased_people")) continue;
            if (!(c[2].contains("char") || c[2].contains("text") || c[2].contains("clob"))) continue;
            textColumns++;
            long n = jdbc.queryOne("SELECT COUNT(*) FROM " + c[0] + " WHERE " + c[1] + " LIKE ?", rs -> rs.getLong(1), "%" + needle + "%").orElseThrow();
            if (n > 0) found.add(c[0] + "." + c[1] + " x" + n);
        }
        assertTrue(textColumns > 60, "the catalog was read: " + textColumns + " text columns");
        // Answers kept for retries are stored deflated, where a LIKE cannot see: read them as a replay would.
        long answers = jdbc.query("SELECT body_deflated FROM idempotency_keys WHERE body_deflated IS NOT NULL", rs -> rs.getBytes(1)).stream()
                .filter(kept -> inflated(kept).contains(needle)).count();
        if (answers > 0) found.add("idempotency_keys.body_deflated (inflated) x" + answers);
        return found;
    }

    static String inflated(byte[] kept) {
        try (java.io.InputStream in = io.omix.server.common.db.Deflated.reading(kept)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An operator's write about the person's sample, with an Idempotency-Key: its answer is kept under the operator's key. */
    static void operatorNamesSample(TestServer s, String operatorToken, String sample, String username) throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(s.url() + "/admin/samples/bind")).header("Authorization", "Bearer " + operatorToken)
                .header("Idempotency-Key", "operator-bind-" + sample).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("biosample_id=" + sample + "&username=" + username)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(answer.body().contains(sample), answer.body());
    }

    static boolean anyObjectHolds(Path root, String marker) throws Exception {
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p) && Files.readString(p, StandardCharsets.ISO_8859_1).contains(marker)) return true;
            }
        }
        return false;
    }

    /** A sample's items erased from an open batch: the partner goes on importing into the batch, numbered after its last item. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOpenBatchTakesItemsAfterASampleOfItWasErased(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String project = new SampleStore(platform).createProject("open", 1, null, null, null).projectId();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", "OPEN_APP");
            BatchStore batches = new BatchStore(platform);
            long batchNo = batches.register(app.app().namespace(), "batch", "items").batchNo();
            Person first = person(s, "firstone", project, ownTool(platform), app.app().namespace(), batchNo);
            Person second = person(s, "secondone", project, ownTool(platform), app.app().namespace(), batchNo);
            new io.omix.server.privacy.Erasure(platform).eraseSample(first.sample());
            assertEquals(java.util.Optional.empty(), batches.importItems(app.app().namespace(), batchNo, second.sample(),
                    List.of(new BatchStore.NewItem("8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01", JsonNodeFactory.instance.objectNode().put("more", true)))));
            var jdbc = platform.database().jdbc();
            long items = jdbc.queryOne("SELECT COUNT(*) FROM data_items WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).orElseThrow();
            assertEquals(items, jdbc.queryOne("SELECT item_count FROM batches WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).orElseThrow(),
                    "the batch counts the items it holds");
            first.api().close();
            second.api().close();
        }
    }

    /**
     * A partner's import of batch items naming a sample checks the sample in its own transaction (holding it, as an
     * erasure takes it first): items whose sample was erased after the request's visibility check are refused, not
     * written as orphans that no later erasure could find.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void batchItemsOfASampleErasedMeanwhileAreRefused(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String project = new SampleStore(platform).createProject("race", 1, null, null, null).projectId();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", "RACE_APP");
            long batchNo = new BatchStore(platform).register(app.app().namespace(), "batch", "items").batchNo();
            Person person = person(s, "raced", project, ownTool(platform), app.app().namespace(), batchNo);
            new io.omix.server.privacy.Erasure(platform).eraseSample(person.sample());
            java.util.Optional<BatchStore.Refusal> refused = new BatchStore(platform).importItems(app.app().namespace(), batchNo, person.sample(),
                    List.of(new BatchStore.NewItem("8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01", JsonNodeFactory.instance.objectNode().put("late", true))));
            assertEquals(java.util.Optional.of(BatchStore.Refusal.NO_SUCH_SAMPLE), refused);
            assertEquals(List.of(), traces(platform, person.sample()));
            person.api().close();
        }
    }

    /** One of two people sharing a sample erases it: only their binding goes; the other still has it, and erases it in full. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSharedSampleIsUnboundFromOnePersonNotErasedForBoth(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String clientId = ownTool(platform);
            String project = new SampleStore(platform).createProject("shared", 1, null, null, null).projectId();
            Identity.Person first = Identity.user(s, "sharer1", "sharer1@example.org");
            Identity.Person second = Identity.user(s, "sharer2", "sharer2@example.org");
            try (Api one = ownToolApi(s, clientId, first);
                 Api two = ownToolApi(s, clientId, second)) {
                String sample = one.registerSample("SHARED-1", 11, project).getString("biosample_id");
                new SampleStore(platform).bindUser(sample, second.userId());
                var jdbc = platform.database().jdbc();
                String firstsKeys = "user:" + first.userId() + "/%";
                long kept = jdbc.queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner LIKE ? AND names LIKE ?", rs -> rs.getLong(1),
                        firstsKeys, "%" + sample + "%").orElseThrow();
                assertTrue(kept > 0, "the registration's answer is kept for a retry, naming the sample");
                Model unbound = one.deleteSample(sample);
                assertEquals(false, unbound.getBoolean("erased"));
                assertEquals(true, unbound.getBoolean("unbound"));
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner LIKE ? AND names LIKE ?", rs -> rs.getLong(1),
                        firstsKeys, "%" + sample + "%").orElseThrow(), "the one who let go is no longer answered copies naming it");
                assertEquals(41303, assertThrows(ApiException.class, () -> one.getSample(sample)).code(), "gone for the one who let go");
                assertEquals(sample, two.getSample(sample).getString("biosample_id"), "still there for the other");
                assertEquals(true, two.deleteSample(sample).getBoolean("erased"));
                assertEquals(List.of(), traces(platform, sample));
            }
        }
    }

    /**
     * A person bound by an operator to a sample shared with someone else, then erased: the sample stays (the other's),
     * and nothing names the person any more, the operator's answer kept for a retry of the binding included (it names
     * them by username, and now by id beside it).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOperatorsKeptAnswerNamingAnErasedPersonOfASharedSampleGoes(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String clientId = ownTool(platform);
            String project = new SampleStore(platform).createProject("kept", 1, null, null, null).projectId();
            Identity.Person owner = Identity.user(s, "keptowner", "keptowner@example.org");
            Identity.Person bound = Identity.user(s, "keptbound", "keptbound@example.org");
            try (Api one = ownToolApi(s, clientId, owner)) {
                String sample = one.registerSample("KEPT-1", 11, project).getString("biosample_id");
                operatorNamesSample(s, Identity.operatorToken(s, "keptop"), sample, bound.username());
                assertTrue(!traces(platform, bound.username()).isEmpty(), "the kept answer names them");
                assertTrue(new io.omix.server.privacy.Erasure(platform).eraseUser(bound.userId()).isPresent());
                assertEquals(List.of(), traces(platform, bound.username()));
                assertEquals(List.of(), traces(platform, bound.userId()));
                assertEquals(sample, one.getSample(sample).getString("biosample_id"), "the other's sample stays");
            }
        }
    }

    /**
     * An operator's erasure of an account sent with an Idempotency-Key: its answer (the erased person's id) is not kept under
     * the operator's key, where it named the person for a day after the erasure; a repeat finds no such user.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOperatorsKeyedErasureKeepsNoAnswerNamingThePerson(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            Identity.Person gone = Identity.user(s, "goneaway", "goneaway@example.org");
            String operator = Identity.operatorToken(s, "eraser");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest erase = java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url() + "/admin/users/goneaway"))
                    .header("Authorization", "Bearer " + operator).header("Idempotency-Key", "erase-goneaway").DELETE().build();
            String first = http.send(erase, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(first.contains("\"erased\":true") && first.contains(gone.userId()), first);
            assertEquals(List.of(), traces(platform, gone.userId()));
            String again = http.send(erase, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(again.contains("\"code\":41001") && again.contains("no such user"), again);
        }
    }

    /**
     * A model the person deploys through an application, recorded while their account is being erased: the deploy waits for
     * the erasure (it holds the person's row, as the erasure takes it first) and then fails, leaving no model, version or
     * package copy. Before, the erasure listed the person's models while the deploy was recording its new one, which then
     * outlived it, owned by nobody, its id taken for good.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aModelRecordedAsItsPersonIsErasedIsNotKept(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            String clientId = ownTool(platform);
            Identity.Person who = Identity.user(s, "deploying", "deploying@example.org");
            String uid = who.userId();
            Path pkg = quietModel("late-model");
            try (Api api = ownToolApi(s, clientId, who, "files models"); java.sql.Connection erasing = accountErasureInFlight(platform, uid)) {
                String taskId = api.deployModel("lateModel", pkg, ModelConfig.defaults()).getString("task_id");
                assertTrue(io.omix.server.testing.LockWaits.awaitWaiter(platform, java.time.Duration.ofSeconds(30),
                        () -> platform.tasks().byTaskId(taskId).orElseThrow().completedAt() != null), "the deploy's recording waits for the erasure in flight");
                finishAccountErasure(erasing, uid); // the person's models: none yet
                // The deploy's attempt goes on: it finds the account gone and records nothing (the model would be inserted
                // right after the person's row, in the same transaction).
                var jdbc = platform.database().jdbc();
                Thread.sleep(1000);
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM models WHERE model_id = 'lateModel'", rs -> rs.getLong(1)).orElseThrow(),
                        "no model of the erased person");
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM model_versions WHERE model_id = 'lateModel'", rs -> rs.getLong(1)).orElseThrow());
            }
        }
    }

    /** The rows {@code where} selects, as they are (column to value), to write back later. */
    static List<Map<String, Object>> rowsOf(Platform platform, String table, String where, Object... args) {
        return platform.database().jdbc().query("SELECT * FROM " + table + " WHERE " + where, rs -> {
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnName(i).toLowerCase(), rs.getObject(i));
            return row;
        }, args);
    }

    /** Writes {@code rows} back into {@code table}: what a write that committed just after an erasure would have left. */
    static void writeBack(Platform platform, String table, List<Map<String, Object>> rows) {
        for (Map<String, Object> row : rows) {
            platform.database().jdbc().update("INSERT INTO " + table + " (" + String.join(",", row.keySet()) + ") VALUES ("
                    + String.join(",", java.util.Collections.nCopies(row.size(), "?")) + ")", row.values().toArray());
        }
    }

    /**
     * Requests authenticated just before an account's erasure can commit after it, where it could not see them: a task the
     * person queued through an application, an upload credential made for them, an answer kept for their keyed write.
     * A worker drops such a task when it claims it (not kept as a failure naming the person for weeks), and housekeeping
     * takes the rest, with the application's delivery about a finished one; another person's stay.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatARequestLeftJustAfterAnErasureGoesToo(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = Identity.platform(s);
            var jdbc = platform.database().jdbc();
            String clientId = ownTool(platform);
            jdbc.update("INSERT INTO webhook_endpoints (webhook_id, owner, url, events, stream_events, secret_sealed, enabled, created_at)"
                    + " VALUES (?,?,?,?,FALSE,?,TRUE,?)", "wh_late", "client:" + clientId, "http://127.0.0.1:9/hook", "task.finished",
                    "unused", platform.now());
            Identity.Person gone = Identity.user(s, "leaving", "leaving@example.org");
            Identity.Person stays = Identity.user(s, "staying", "staying@example.org");
            String project = new SampleStore(platform).createProject("late writes", 1, null, null, null).projectId();
            for (Identity.Person p : List.of(gone, stays)) {
                try (Api api = ownToolApi(s, clientId, p, "samples files")) {
                    api.registerSample(p.username().toUpperCase() + "-1", 11, project);   // an answer kept under the SDK's Idempotency-Key
                    api.getUploadToken();                                                  // an upload credential
                }
            }
            String uid = gone.userId();
            List<Map<String, Object>> credentials = rowsOf(platform, "upload_credentials", "user_id = ?", uid);
            List<Map<String, Object>> answers = rowsOf(platform, "idempotency_keys", "owner LIKE ?", "user:" + uid + "/%");
            assertTrue(!credentials.isEmpty() && !answers.isEmpty(), "the person's credential and kept answer");
            try (Api api = ownToolApi(s, clientId, gone)) {
                api.deleteAccount();
            }
            // The late writes, committed after the erasure: the rows as the requests wrote them, and two tasks the person
            // queued through the application, one still waiting, one finished (failed) and announced to the application.
            writeBack(platform, "upload_credentials", credentials);
            writeBack(platform, "idempotency_keys", answers);
            String through = "client:" + clientId + ":user:";
            var payload = JsonNodeFactory.instance.objectNode().put("question", "about leaving's genome");
            // (Written as it ended, not queued then changed: a worker would take a queued one of the erased person first.)
            String finished = java.util.UUID.randomUUID().toString();
            jdbc.update("INSERT INTO tasks (job_id, task_id, kind, owner, payload, status, path, created_at, updated_at, completed_at, attempts)"
                    + " VALUES (?,?,?,?,?,'FAILURE',?,?,?,?,1)", jdbc.queryOne("SELECT nextval('task_job_ids')", rs -> rs.getLong(1)).orElseThrow(),
                    finished, "erasure.test", through + uid, payload.toString(), "/test", platform.now(), platform.now(), platform.now());
            jdbc.inTransaction(tx -> {
                io.omix.server.webhooks.WebhookEvents.publish(tx, platform.now(), "client:" + clientId, io.omix.server.webhooks.WebhookEvents.TASK_FINISHED,
                        Map.of("task_id", finished));
                return null;
            });
            String othersTask = platform.tasks().submit("erasure.test", through + stays.userId(), payload, "/test").taskId();
            String waiting = platform.tasks().submit("erasure.test", through + uid, payload, "/test").taskId();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (platform.tasks().byTaskId(waiting).isPresent() && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(platform.tasks().byTaskId(waiting).isPresent(), "a worker dropped the erased person's task instead of running it");
            while (platform.tasks().byTaskId(othersTask).orElseThrow().completedAt() == null && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals("FAILURE", platform.tasks().byTaskId(othersTask).orElseThrow().status().name(), "another person's task ran (no handler here)");
            assertTrue(!traces(platform, uid).isEmpty() && !traces(platform, finished).isEmpty(), "left until housekeeping");

            // One still running under another server's live lease is left to its worker (taken at a later run).
            String running = java.util.UUID.randomUUID().toString();
            long job = jdbc.queryOne("SELECT nextval('task_job_ids')", rs -> rs.getLong(1)).orElseThrow();
            jdbc.update("INSERT INTO tasks (job_id, task_id, kind, owner, payload, status, path, created_at, updated_at, claimed_by, lease_until, attempts)"
                    + " VALUES (?,?,?,?,?,'STARTED',?,?,?,?,?,1)", job, running, "erasure.test", through + uid, payload.toString(), "/test",
                    platform.now(), platform.now(), "elsewhere.1", platform.now().plusHours(1));
            Map<String, Long> swept = s.server().housekeeping().runNow();
            assertTrue(platform.tasks().byTaskId(running).isPresent(), "a task running under a live lease is its worker's");
            jdbc.update("DELETE FROM tasks WHERE task_id = ?", running);
            assertEquals(1L + credentials.size() + answers.size(), swept.get("leftovers_of_erased_people"), swept.toString());
            assertEquals(List.of(), traces(platform, uid), "nothing names the erased person");
            assertEquals(List.of(), traces(platform, finished), "nor the application's delivery about their task");
            assertTrue(platform.tasks().byTaskId(othersTask).isPresent(), "another person's task stays");
            assertEquals(1L, jdbc.queryOne("SELECT COUNT(*) FROM upload_credentials WHERE user_id = ?", rs -> rs.getLong(1), stays.userId()).orElseThrow());
            assertEquals(1L, jdbc.queryOne("SELECT COUNT(*) FROM idempotency_keys WHERE owner LIKE ?", rs -> rs.getLong(1),
                    "user:" + stays.userId() + "/%").orElseThrow());
            assertEquals(0L, s.server().housekeeping().runNow().get("leftovers_of_erased_people"), "nothing more to take");
            assertEquals(1L, jdbc.queryOne("SELECT COUNT(*) FROM erased_people WHERE user_id = ?", rs -> rs.getLong(1), uid).orElseThrow(),
                    "the id is kept for the sweep, a day");
            jdbc.update("UPDATE erased_people SET erased_at = ? WHERE user_id = ?", platform.now().minusHours(25), uid);
            s.server().housekeeping().runNow();
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM erased_people", rs -> rs.getLong(1)).orElseThrow(), "and no longer");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anErasedPersonLeavesNoTraceInAnyTableOrObject(String kind) throws Exception {
        // The microbiome background takes each profile in at once here, so that it counts both people before the erasure.
        try (TestServer s = TestServer.builder().database(kind).setting("microbiome.background-publish-every", "1").start()) {
            Platform platform = Identity.platform(s);
            String clientId = ownTool(platform);
            // The application listens for its tasks and deployed models (on a port nobody answers: the deliveries stay pending).
            platform.database().jdbc().update("INSERT INTO webhook_endpoints (webhook_id, owner, url, events, stream_events, secret_sealed, enabled, created_at)"
                    + " VALUES (?,?,?,?,FALSE,?,TRUE,?)", "wh_erasure", "client:" + clientId, "http://127.0.0.1:9/hook", "task.finished model.deployed",
                    "unused", platform.now());
            String project = new SampleStore(platform).createProject("erasure", 1, null, null, null).projectId();
            var app = new io.omix.server.apps.PrivateAppStore(platform).create("Partner", "ERASURE_APP");
            long batchNo = new BatchStore(platform).register(app.app().namespace(), "shared batch", "items of two people").batchNo();
            Person forget = person(s, "forgetme", project, clientId, app.app().namespace(), batchNo);
            Person keep = person(s, "keepme", project, clientId, app.app().namespace(), batchNo);
            String operator = Identity.operatorToken(s, "eraseop");
            operatorNamesSample(s, operator, forget.sample(), forget.who().username());
            operatorNamesSample(s, operator, keep.sample(), keep.who().username());
            assertTrue(!traces(platform, forget.sample()).isEmpty(), "the kept answers are searched too");
            assertTrue(platform.database().jdbc().queryOne("SELECT COUNT(*) FROM taxon_background WHERE n_present > 1", rs -> rs.getLong(1))
                    .orElseThrow() > 0, "the cohort background counts both people");

            // One more sample of the person, erased alone first; another person cannot erase it.
            String second = forget.api().registerSample("FORGETME-2", 11, project).getString("biosample_id");
            // A task of the application's about that sample, and the application told it finished (naming only the task).
            String sampleTask = platform.tasks().submit("erasure.test", "client:" + clientId,
                    JsonNodeFactory.instance.objectNode().put("biosample_id", second), "/test").taskId();
            platform.database().jdbc().inTransaction(tx -> {
                io.omix.server.webhooks.WebhookEvents.publish(tx, platform.now(), "client:" + clientId, io.omix.server.webhooks.WebhookEvents.TASK_FINISHED,
                        Map.of("task_id", sampleTask));
                return null;
            });
            assertTrue(traces(platform, sampleTask).stream().anyMatch(t -> t.startsWith("webhook_deliveries")), traces(platform, sampleTask).toString());
            assertEquals(41303, assertThrows(ApiException.class, () -> keep.api().deleteSample(second)).code());
            assertEquals(true, forget.api().deleteSample(second).getBoolean("erased"));
            assertEquals(List.of(), traces(platform, second));
            assertEquals(List.of(), traces(platform, sampleTask), "the task about the sample went, and the application's delivery about it");

            String packageCopy = platform.database().jdbc().queryOne("SELECT package_key FROM model_versions WHERE model_id = 'forgetmeModel'",
                    rs -> rs.getString(1)).orElseThrow();
            assertTrue(platform.objects().size(packageCopy).isPresent(), "the version keeps a copy of its package");
            List<String> forgetTasks = platform.database().jdbc().query("SELECT task_id FROM tasks WHERE owner LIKE ?", rs -> rs.getString(1),
                    "%:user:" + forget.who().userId());
            assertTrue(!forgetTasks.isEmpty() && traces(platform, "forgetmeModel").stream().anyMatch(t -> t.startsWith("webhook_deliveries")),
                    "the application was told of the person's deployed model: " + traces(platform, "forgetmeModel"));
            Model erased = forget.api().deleteAccount();
            for (String task : forgetTasks) assertEquals(List.of(), traces(platform, task), "no trace of the person's task " + task);
            assertEquals(forget.who().userId(), erased.getString("user_id"));
            assertFalse(platform.objects().size(packageCopy).isPresent(), "the version's copy of its package went with it");
            assertTrue(erased.dumps().contains(forget.sample()), erased.dumps());
            assertEquals(403, assertThrows(ApiException.class, () -> forget.api().getSamples(SampleQuery.all())).code(), "its token died with it");

            for (String needle : List.of(forget.who().userId(), forget.who().username(), forget.who().username() + "@example.org", forget.sample(),
                    forget.entity(), forget.object(), "forgetme slept badly", "forgetme diary entry", "forgetmeModel")) {
                assertEquals(List.of(), traces(platform, needle), "no trace of " + needle);
            }
            // The person's model is gone for every caller, and each server's sweep takes its unpacked code; the other's stays.
            assertEquals(41202, assertThrows(ApiException.class, () -> keep.api().invokeModel("forgetmeModel", Map.of())).code());
            Path models = platform.config().modelsRoot();
            assertTrue(Files.isDirectory(models.resolve("forgetmeModel")), "unpacked until the sweep");
            s.server().capability(io.omix.server.models.ModelsCapability.class).orElseThrow().removeCodeOfRemovedModels();
            assertFalse(Files.exists(models.resolve("forgetmeModel")), "the sweep took the erased person's code");
            assertTrue(Files.isDirectory(models.resolve("keepmeModel")), "and left the other person's");
            assertEquals(1L, platform.database().jdbc().queryOne("SELECT COUNT(*) FROM models WHERE model_id = 'keepmeModel'", rs -> rs.getLong(1)).orElseThrow());
            assertTrue(!anyObjectHolds(s.dataDir().resolve("objects"), forget.marker()), "no object holds the person's bytes");

            // The other person's data is whole.
            assertTrue(anyObjectHolds(s.dataDir().resolve("objects"), keep.marker()));
            assertTrue(platform.database().jdbc().queryOne("SELECT COUNT(*) FROM variant_blocks v JOIN variant_sources s ON s.source_id = v.source_id"
                    + " WHERE s.biosample_id = ?", rs -> rs.getLong(1), keep.sample()).orElseThrow() > 0, "the other person's calls stay");
            // Calls are stored encoded, where a search for the person's text cannot see them: none may outlive their import.
            for (String orphans : List.of("SELECT COUNT(*) FROM variant_blocks WHERE source_id NOT IN (SELECT source_id FROM variant_sources)",
                    "SELECT COUNT(*) FROM variant_rsid_directory WHERE source_id NOT IN (SELECT source_id FROM variant_sources)",
                    "SELECT COUNT(*) FROM variant_rsid_index WHERE row_key / 16777216 NOT IN (SELECT source_id FROM variant_sources)")) {
                assertEquals(0L, platform.database().jdbc().queryOne(orphans, rs -> rs.getLong(1)).orElseThrow(), orphans);
            }
            assertTrue(!traces(platform, keep.sample()).isEmpty());
            assertEquals(1L, platform.database().jdbc().queryOne("SELECT item_count FROM batches WHERE batch_no = ?", rs -> rs.getLong(1), batchNo).orElseThrow(),
                    "the shared batch keeps the other person's item");
            long background = platform.database().jdbc().queryOne("SELECT COUNT(*) FROM taxon_background WHERE n_present > 1", rs -> rs.getLong(1)).orElseThrow();
            assertEquals(0, background, "the cohort background is recomputed from the remaining person alone");

            // The trail keeps that it happened, with ids only, and still verifies.
            var entries = platform.audit().list(new io.omix.server.audit.AuditLog.Query(forget.who().userId(), null, null, null, null, "DELETE /user", 0, 10));
            assertEquals(1, entries.size());
            assertEquals("200 0", entries.get(0).outcome());
            assertTrue(platform.audit().verify().firstBrokenSeq().isEmpty());
            keep.api().close();
            forget.api().close();
        }
    }
}
