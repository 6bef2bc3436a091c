package io.omix.sdk;

import io.omix.server.audit.AuditLog;
import io.omix.server.common.db.Jdbc;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audit trail, as a person whose data it is and an operator checking it rely on: every access
 * is there with who, through which credential, what, from where, the request id and the outcome;
 * refused attempts too; the chain holds under concurrent requests, and any change or removal of an
 * entry is found at its place. On H2 and PostgreSQL.
 */
class AuditTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static List<AuditLog.Entry> all(TestServer s) {
        return Identity.platform(s).audit().list(new AuditLog.Query(null, null, null, null, null, null, 0, 100_000));
    }

    static AuditLog.Entry find(List<AuditLog.Entry> entries, String operation, String outcomePrefix) {
        return entries.stream().filter(e -> e.operation().equals(operation) && e.outcome().startsWith(outcomePrefix)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + operation + " " + outcomePrefix + " in " + entries));
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyAccessIsRecordedWithWhoHowWhatWhereAndTheOutcome(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person alice = Identity.user(s, "audited", "audited@example.org");
            String token = Identity.userToken(s, client, alice.userId(), "samples files").accessToken();
            String project = new SampleStore(Identity.platform(s)).createProject("audit", 1, null, null, null).projectId();
            String sample;
            String signed;
            try (Api api = Api.builder(token).endpoint(s.url()).build()) {
                sample = api.registerSample("AUD-1", 11, project).getString("biosample_id");
                api.getSample(sample);
                String name = api.upload("audit.txt", "a person's report");
                signed = api.getDownloadUrl(name).getString("url");
            }
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(signed)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/samples/" + sample))
                    .header("Authorization", "Bearer " + token).header("X-Request-Id", "audit-read-1").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(0, Model.parse(read.body()).getInt("code"));
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/samples/" + sample))
                    .header("Authorization", "Bearer oat_forged").header("X-Request-Id", "audit-refused-1").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, Model.parse(refused.body()).getInt("code"));
            HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/ping")).build(), HttpResponse.BodyHandlers.discarding());
            // A stranger's guesses at signed links are not the person's data being read: nothing of them lands in their trail.
            for (String guess : List.of(signed.replaceAll("Signature=[^&]+", "Signature=forged"), s.url() + "/htsget/variants/" + sample + "/data?expires=1")) {
                assertEquals(403, HTTP.send(HttpRequest.newBuilder(URI.create(guess)).header("X-Request-Id", "audit-guess").build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }

            // A parameter the endpoint does not take is ignored by it, and by the trail too.
            HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/beacon/v2/datasets?biosample_id=" + sample + "&made_up_id=" + sample))
                    .header("X-Request-Id", "audit-made-up").build(), HttpResponse.BodyHandlers.discarding());

            List<AuditLog.Entry> entries = all(s);
            assertTrue(entries.stream().noneMatch(e -> "audit-guess".equals(e.requestId())), "unsigned guesses are not recorded");
            AuditLog.Entry strange = entries.stream().filter(e -> "audit-made-up".equals(e.requestId())).findFirst().orElseThrow();
            assertEquals("anonymous", strange.actorKind());
            assertEquals(null, strange.resources(), "nothing the endpoint did not read");
            AuditLog.Entry get = entries.stream().filter(e -> "audit-read-1".equals(e.requestId())).findFirst().orElseThrow();
            assertEquals("GET /samples/{biosample_id}", get.operation());
            assertEquals("client", get.actorKind());
            assertEquals(client.id(), get.actorId());
            assertEquals(alice.userId(), get.userId(), "whose data: the person the token speaks for");
            assertEquals("user_token", get.credential());
            assertEquals("biosample_id=" + sample, get.resources());
            assertEquals("127.0.0.1", get.source());
            assertEquals("200 0", get.outcome());
            assertNotNull(get.at());

            AuditLog.Entry denied = entries.stream().filter(e -> "audit-refused-1".equals(e.requestId())).findFirst().orElseThrow();
            assertEquals("unknown", denied.actorKind(), "a refused credential names nobody");
            assertEquals("refused", denied.credential());
            assertEquals("200 403", denied.outcome());

            AuditLog.Entry register = find(entries, "POST /samples/register", "200 0");
            assertEquals(alice.userId(), register.userId());
            AuditLog.Entry download = find(entries, "GET /oss/objects/<object_name>", "200");
            assertEquals("signed_link", download.credential());
            assertEquals(alice.userId(), download.userId(), "a download of a person's file is recorded as theirs");
            assertTrue(entries.stream().noneMatch(e -> e.operation().contains("/ping")), "what holds nobody's data is not recorded");

            AuditLog.Verification v = Identity.platform(s).audit().verify();
            assertEquals(java.util.Optional.empty(), v.firstBrokenSeq(), v.reason());
            assertEquals(entries.size(), v.checked());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theChainHoldsUnderConcurrentRequestsAndAnyChangeIsFoundWhereItIs(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client app = Identity.app(s, "AUDIT_APP");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                calls.add(pool.submit(() -> {
                    try (PrivateApi partner = PrivateApi.builder(app.id(), app.secret()).endpoint(s.url()).build()) {
                        for (int i = 0; i < 25; i++) partner.getSamples(null, null, null, null);
                    }
                    return null;
                }));
            }
            // Verifying while entries are appended finds the chain intact (it stops at the head it read first).
            int verified = 0;
            while (calls.stream().anyMatch(f -> !f.isDone())) {
                AuditLog.Verification live = Identity.platform(s).audit().verify();
                assertTrue(live.firstBrokenSeq().isEmpty(), "verified while writes go on: " + live.reason());
                verified++;
            }
            for (Future<?> f : calls) f.get();
            pool.shutdown();
            assertTrue(verified > 0);
            List<AuditLog.Entry> entries = all(s);
            assertTrue(entries.size() >= 200, "every call recorded: " + entries.size());
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(i + 1, entries.get(i).seq(), "one chain, no gaps");
                if (i > 0) assertEquals(entries.get(i - 1).hash(), entries.get(i).prevHash());
            }
            AuditLog.Entry partnerCall = entries.get(entries.size() - 1);
            assertEquals("private_app", partnerCall.actorKind());
            assertEquals(app.id(), partnerCall.actorId());
            assertEquals("signed_request", partnerCall.credential());
            AuditLog audit = Identity.platform(s).audit();
            assertTrue(audit.verify().firstBrokenSeq().isEmpty());

            var jdbc = Identity.platform(s).database().jdbc();
            assertEquals(java.util.Optional.of(0L), jdbc.queryOne("SELECT COUNT(*) FROM audit_blocks WHERE entries_deflated IS NULL OR entries <> ''",
                    rs -> rs.getLong(1)), "blocks are stored as deflated bytes, not base64 text");
            String source = entries.get(49).source();
            // An intruder hiding where they came from.
            io.omix.server.testing.AuditTampering.change(jdbc, 50, e -> new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(), e.userId(),
                    e.credential(), e.operation(), e.resources(), e.records(), "10.0.0.66", e.requestId(), e.outcome(), e.prevHash(), e.hash()));
            AuditLog.Verification changed = audit.verify();
            assertEquals(java.util.Optional.of(50L), changed.firstBrokenSeq(), changed.reason());
            assertTrue(changed.reason().contains("changed"), changed.reason());

            io.omix.server.testing.AuditTampering.change(jdbc, 50, e -> new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(), e.userId(),
                    e.credential(), e.operation(), e.resources(), e.records(), source, e.requestId(), e.outcome(), e.prevHash(), e.hash()));
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), "restored, it verifies again");
            // The same, in the layout this version writes (the block's deflated bytes).
            io.omix.server.testing.AuditTampering.changeInPlace(jdbc, 50, e -> new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(),
                    e.userId(), e.credential(), e.operation(), e.resources(), e.records(), "10.0.0.66", e.requestId(), e.outcome(), e.prevHash(), e.hash()));
            AuditLog.Verification changedBytes = audit.verify();
            assertEquals(java.util.Optional.of(50L), changedBytes.firstBrokenSeq(), changedBytes.reason());
            io.omix.server.testing.AuditTampering.changeInPlace(jdbc, 50, e -> new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(),
                    e.userId(), e.credential(), e.operation(), e.resources(), e.records(), source, e.requestId(), e.outcome(), e.prevHash(), e.hash()));
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), "restored, it verifies again");

            // What finds entries is held to them too: a key taken away would hide a block from a person's view.
            long someBlock = jdbc.queryOne("SELECT MAX(first_seq) FROM audit_blocks WHERE first_seq < 120", rs -> rs.getLong(1)).orElseThrow();
            String key = jdbc.queryOne("SELECT MIN(subject) FROM audit_block_keys WHERE first_seq = ?", rs -> rs.getString(1), someBlock).orElseThrow();
            jdbc.update("DELETE FROM audit_block_keys WHERE first_seq = ? AND subject = ?", someBlock, key);
            AuditLog.Verification unkeyed = audit.verify();
            assertEquals(java.util.Optional.of(someBlock), unkeyed.firstBrokenSeq(), unkeyed.reason());
            assertTrue(unkeyed.reason().contains("keys"), unkeyed.reason());
            jdbc.update("INSERT INTO audit_block_keys (subject, first_seq) VALUES (?, ?)", key, someBlock);
            AuditLog.Verification keyBack = audit.verify();
            assertTrue(keyBack.firstBrokenSeq().isEmpty(), "its key back, it verifies again: " + keyBack.reason());
            long blockEnd = jdbc.queryOne("SELECT last_seq FROM audit_blocks WHERE first_seq = ?", rs -> rs.getLong(1), someBlock).orElseThrow();
            jdbc.update("UPDATE audit_blocks SET last_at = first_at - INTERVAL '1' SECOND WHERE first_seq = ?", someBlock); // out of a search by time
            AuditLog.Verification moved = audit.verify();
            assertEquals(java.util.Optional.of(someBlock), moved.firstBrokenSeq(), moved.reason());
            assertTrue(moved.reason().contains("times"), moved.reason());
            List<AuditLog.Entry> inBlock = audit.list(new AuditLog.Query(null, null, null, null, null, null, someBlock - 1, 100_000)).stream()
                    .filter(e -> e.seq() >= someBlock && e.seq() <= blockEnd).toList();
            java.time.Instant latest = inBlock.stream().map(AuditLog.Entry::at).max(java.util.Comparator.naturalOrder()).orElseThrow();
            jdbc.update("UPDATE audit_blocks SET last_at = ? WHERE first_seq = ?", java.time.OffsetDateTime.ofInstant(latest, java.time.ZoneOffset.UTC),
                    someBlock);
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), "restored, it verifies again");

            io.omix.server.testing.AuditTampering.remove(jdbc, seq -> seq == 120);
            AuditLog.Verification removed = audit.verify();
            assertEquals(java.util.Optional.of(120L), removed.firstBrokenSeq(), removed.reason());
            assertTrue(removed.reason().contains("missing"), removed.reason());

            long last = entries.get(entries.size() - 1).seq();
            io.omix.server.testing.AuditTampering.remove(jdbc, seq -> seq >= 120);
            AuditLog.Verification cut = audit.verify();
            assertEquals(java.util.Optional.of(120L), cut.firstBrokenSeq(), "the tail cut off is found by the chain's head: " + cut.reason());
            jdbc.update("UPDATE audit_blocks SET entries = 'not what was written', entries_deflated = NULL WHERE first_seq = (SELECT MIN(first_seq) FROM audit_blocks)");
            AuditLog.Verification garbled = audit.verify();
            assertEquals(java.util.Optional.of(1L), garbled.firstBrokenSeq(), "a block that cannot be read is found too: " + garbled.reason());
            assertTrue(last > 120);
        }
    }

    /** A server keeping audit entries 30 days on {@code clock}, its housekeeping run by the test. */
    static TestServer withRetentionOf30Days(String kind, io.omix.server.testing.MutableClock clock) throws Exception {
        return TestServer.builder().database(kind).clock(clock).setting("housekeeping.interval-seconds", "0").setting("audit.retention-days", "30").start();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theRetentionRemovesOldEntriesAndTheRestStillVerifies(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = withRetentionOf30Days(kind, clock)) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "retained", "retained@example.org");
            try (Api api = Api.builder(Identity.userToken(s, client, person.userId(), "samples").accessToken()).endpoint(s.url()).build()) {
                for (int i = 0; i < 5; i++) api.getSamples(SampleQuery.all());
            }
            clock.advance(java.time.Duration.ofDays(40));
            try (Api api = Api.builder(Identity.userToken(s, client, person.userId(), "samples").accessToken()).endpoint(s.url()).build()) {
                for (int i = 0; i < 3; i++) api.getSamples(SampleQuery.all());
            }
            Map<String, Long> removed = s.server().housekeeping().runNow();
            assertEquals(5L, removed.get("audit_log"), removed.toString());
            assertEquals(3, all(s).size());
            AuditLog.Verification v = Identity.platform(s).audit().verify();
            assertTrue(v.firstBrokenSeq().isEmpty(), v.reason());
        }
    }

    /**
     * Servers' clocks, and a crashed server's spool appended at its restart, put older times after newer
     * ones in the chain: the retention cuts a prefix, so what is kept verifies without a hole.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theRetentionCutsThePrefixOfTheChainWhateverTheOrderOfTimes(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = withRetentionOf30Days(kind, clock)) {
            AuditLog audit = Identity.platform(s).audit();
            java.time.Instant now = clock.instant();
            for (String[] e : new String[][] {{"old-1", "50"}, {"newer", "10"}, {"old-2", "50"}, {"now", "0"}}) {
                audit.append(List.of(new AuditLog.Entry(0, now.minus(java.time.Duration.ofDays(Long.parseLong(e[1]))), "client", "app", null,
                        "client_token", "GET /samples", null, 1, "10.0.0.1", e[0], "200 0", null, null)));
            }
            Map<String, Long> removed = s.server().housekeeping().runNow();
            assertEquals(1L, removed.get("audit_log"), "only what comes before the first newer entry: " + removed);
            assertEquals(List.of("newer", "old-2", "now"), all(s).stream().map(AuditLog.Entry::requestId).toList());
            AuditLog.Verification v = audit.verify();
            assertTrue(v.firstBrokenSeq().isEmpty(), "no hole where the older entry came late: " + v.reason());
        }
    }

    static Model get(TestServer s, String token, String pathAndQuery) throws Exception {
        return Model.parse(HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPersonSeesWhatApplicationsDidAndOnlyOperatorsReadTheWholeTrail(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            var platform = Identity.platform(s);
            Identity.Person person = Identity.user(s, "watched", "watched@example.org");
            java.util.Set<String> scopes = new java.util.LinkedHashSet<>(io.omix.server.common.auth.Scope.defaults());
            scopes.add("grants");
            var clients = new io.omix.server.oauth.ClientStore(platform);
            String appId = clients.create("Diet coach", List.of(Identity.REDIRECT), java.util.Set.of("authorization_code"), scopes, false, null)
                    .client().clientId();
            String toolId = clients.create("My tool", List.of(Identity.REDIRECT), java.util.Set.of("authorization_code"), scopes, false, null)
                    .client().clientId();
            var tokens = new io.omix.server.oauth.TokenStore(platform);
            String app = tokens.issue(io.omix.server.oauth.TokenStore.newFamily(), appId, person.userId(), "authorization_code", "samples", null, false).accessToken();
            String tool = tokens.issue(io.omix.server.oauth.TokenStore.newFamily(), toolId, person.userId(), "authorization_code", "grants", null, false).accessToken();
            assertEquals(0, get(s, app, "/samples").getInt("code"));

            Model mine = get(s, tool, "/audit/mine");
            assertEquals(0, mine.getInt("code"), mine.dumps());
            List<Model> entries = mine.getModel("data").getList("entries").models();
            Model coach = entries.stream().filter(e -> appId.equals(e.getString("actor_id"))).findFirst().orElseThrow();
            assertEquals("Diet coach", coach.getString("actor_name"));
            assertEquals("GET /samples", coach.getString("operation"));
            assertEquals(null, coach.get("source"), "a person's view leaves out addresses");
            assertEquals(401, get(s, app, "/audit/mine").getInt("code"), "an application without grants cannot read the person's trail");
            // Page by page, newest first: before= the last seq reads on, however many entries came since.
            for (int i = 0; i < 3; i++) get(s, app, "/samples");
            List<Long> seqs = new java.util.ArrayList<>();
            String next = "/audit/mine?limit=2";
            for (int page = 0; page < 2; page++) {
                Model data = get(s, tool, next).getModel("data");
                List<Model> got = data.getList("entries").models();
                assertEquals(2, got.size());
                for (Model e : got) seqs.add(e.getLong("seq"));
                assertEquals(seqs.get(seqs.size() - 1), data.getLong("next_before"), "a full page goes on after its last entry");
                next = "/audit/mine?limit=2&before=" + data.getLong("next_before");
            }
            assertEquals(null, get(s, tool, "/audit/mine?limit=1000").getModel("data").get("next_before"), "the whole trail read: no more");
            List<Long> sorted = new java.util.ArrayList<>(seqs);
            sorted.sort(java.util.Comparator.reverseOrder());
            assertEquals(sorted, seqs, "newest first across pages");
            assertEquals(4, new java.util.HashSet<>(seqs).size(), "no entry twice: " + seqs);

            assertEquals(401, get(s, tool, "/admin/audit").getInt("code"), "the whole trail is for operators");
            String operator = Identity.operatorToken(s, "auditor");
            Model trail = get(s, operator, "/admin/audit?client_id=" + appId);
            assertEquals(0, trail.getInt("code"), trail.dumps());
            assertTrue(trail.getModel("data").getList("entries").models().stream().allMatch(e -> appId.equals(e.getString("actor_id"))));
            Model verified = get(s, operator, "/admin/audit/verify");
            assertEquals(true, verified.getModel("data").getBoolean("intact"), verified.dumps());
            assertEquals(41001, get(s, operator, "/admin/audit?limit=5000").getInt("code"), "limits are checked where they enter");
        }
    }

    /**
     * A server killed after its entries were appended but before its spool was deleted must not
     * append them twice; one killed mid-line loses only that line (whose answer never left).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSpoolLeftByAStoppedProcessIsAppendedOnceWhateverItsState(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            var platform = Identity.platform(s);
            int before = all(s).size();
            java.nio.file.Path dir = s.dataDir().resolve("audit-spool");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path spool = dir.resolve("audit-spool-" + java.util.UUID.randomUUID() + ".ndjson");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                AuditLog.Entry e = AuditLog.Entry.of("client", "left-behind", null, "client_token", "GET /samples", null, 1, "127.0.0.1",
                        "left-" + i, "200 0");
                lines.append(io.omix.server.common.http.ServerJson.MAPPER.writeValueAsString(e).replace("\"at\":null",
                        "\"at\":\"2026-01-01T00:00:0" + i + "Z\"")).append('\n');
            }
            lines.append("{\"seq\":0,\"at\":\"2026-01-01T00:00:0"); // the line a kill cut short
            String text = lines.toString();
            java.nio.file.Files.writeString(spool, text);

            // What a restarted server (or omix admin) does on opening the platform: append it, then remove it.
            new AuditLog(platform.database().jdbc(), platform.audit().chainKey(), java.time.Clock.systemUTC(), true, dir).close();
            List<AuditLog.Entry> after = all(s);
            assertEquals(before + 2, after.size());
            assertEquals(List.of("left-0", "left-1"), after.stream().filter(e -> "left-behind".equals(e.actorId())).map(AuditLog.Entry::requestId).toList());
            assertEquals("2026-01-01T00:00:00Z", after.stream().filter(e -> "left-0".equals(e.requestId())).findFirst().orElseThrow().at().toString(),
                    "an entry keeps the time it was recorded, not the time it was moved");
            assertTrue(!java.nio.file.Files.exists(spool));
            assertTrue(platform.audit().verify().firstBrokenSeq().isEmpty());

            // The same spool once more (a kill between the append's commit and the file's removal): nothing twice.
            java.nio.file.Files.writeString(spool, text);
            new AuditLog(platform.database().jdbc(), platform.audit().chainKey(), java.time.Clock.systemUTC(), true, dir).close();
            assertEquals(before + 2, all(s).size());
            assertTrue(!java.nio.file.Files.exists(spool));
        }
    }

    /**
     * While the database refuses the trail's appends, the entries of the requests answered meanwhile wait in one spool
     * file, not one more for each quarter second of the outage (each a file, a descriptor and a lock held until it ends);
     * once the database takes them again, every one is in the chain and the files are gone.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOutageOfTheTrailsTableHoldsItsEntriesInOneSpoolAndLosesNone(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "outage", "outage@example.org");
            String token = Identity.userToken(s, client, person.userId(), "profile").accessToken();
            var jdbc = Identity.platform(s).database().jdbc();
            java.nio.file.Path dir = s.dataDir().resolve("audit-spool");
            Identity.platform(s).audit().flush();
            jdbc.inTransaction(c -> Jdbc.update(c, "ALTER TABLE audit_spools RENAME TO audit_spools_away"));
            try {
                for (int i = 0; i < 8; i++) {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/profile")).header("Authorization", "Bearer " + token)
                            .header("X-Request-Id", "outage-" + i).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(0, Model.parse(r.body()).getInt("code"), r.body());
                    Thread.sleep(300);   // more than a round of the mover (a quarter second) between two requests
                }
                try (var files = java.nio.file.Files.list(dir)) {
                    long spools = files.filter(f -> f.getFileName().toString().startsWith("audit-spool-")).count();
                    assertTrue(spools <= 2, spools + " spool files for 8 requests in one outage");
                }
            } finally {
                jdbc.inTransaction(c -> Jdbc.update(c, "ALTER TABLE audit_spools_away RENAME TO audit_spools"));
            }
            Identity.platform(s).audit().flush();
            List<String> recorded = all(s).stream().map(AuditLog.Entry::requestId).filter(id -> id != null && id.startsWith("outage-")).toList();
            assertEquals(List.of("outage-0", "outage-1", "outage-2", "outage-3", "outage-4", "outage-5", "outage-6", "outage-7"), recorded);
            try (var files = java.nio.file.Files.list(dir)) {
                assertEquals(0, files.filter(f -> f.getFileName().toString().startsWith("audit-spool-")).count());
            }
            assertTrue(Identity.platform(s).audit().verify().firstBrokenSeq().isEmpty());
        }
    }

    /**
     * Entries an earlier version stored a row each (and hashed without a key) are moved into blocks when a server starts,
     * the chain unbroken: the upgrade keys it from the next entry on.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void entriesStoredARowEachByAnEarlierVersionMoveIntoBlocksWhole(String kind) throws Exception {
        List<AuditLog.Entry> legacy = legacyChain(2500);
        try (TestServer s = TestServer.builder().database(kind).upgradingFrom("27", c -> {
            for (AuditLog.Entry e : legacy) insertRow(c, e);
            pointHeadAt(c, legacy.get(legacy.size() - 1));
        }).start()) {
            var platform = Identity.platform(s);
            var jdbc = platform.database().jdbc();
            assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM audit_log", rs -> rs.getLong(1)).orElseThrow());
            List<AuditLog.Entry> moved = platform.audit().list(new AuditLog.Query("old-user", null, null, null, null, null, 0, 100_000));
            assertEquals(legacy, moved, "every entry, as it was written");
            assertEquals(30, platform.audit().list(new AuditLog.Query(null, null, "E-A00000000003", java.time.Instant.parse("2026-01-01T00:10:00Z"),
                    java.time.Instant.parse("2026-01-01T00:15:00Z"), null, 0, 100)).size(), "found by sample and time");
            platform.audit().append(List.of(AuditLog.Entry.of("client", "new-app", null, "client_token", "GET /samples", null, 1, "127.0.0.1",
                    "new-1", "200 0")));
            AuditLog.Verification v = platform.audit().verify();
            assertTrue(v.firstBrokenSeq().isEmpty(), v.reason());
            List<AuditLog.Entry> after = all(s);
            assertTrue(after.size() > legacy.size(), "the upgraded server's own entries follow");
            AuditLog.Entry firstKeyed = after.get(legacy.size());
            assertEquals(legacy.get(legacy.size() - 1).hash(), firstKeyed.prevHash(), "the keyed chain goes on from the old one");
            assertTrue(!firstKeyed.hash().equals(firstKeyed.appended(firstKeyed.seq(), firstKeyed.at(), firstKeyed.prevHash(), null).hash()),
                    "entries after the upgrade are keyed");
            assertEquals(after.size(), v.checked());
        }
    }

    /**
     * Someone who can write to the database but does not hold the master key: an entry changed, with every hash after
     * it recomputed as the chain was computed before it was keyed, is found; so are the oldest entries removed outside
     * the retention, the head moved, and the records (seals) of where the chain was keyed and cut taken away.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void rewritingTheChainWithoutTheKeyIsFound(String kind) throws Exception {
        List<AuditLog.Entry> legacy = legacyChain(40);
        try (TestServer s = TestServer.builder().database(kind).upgradingFrom("38", c -> {
            for (List<AuditLog.Entry> block : io.omix.server.audit.AuditBlock.split(legacy)) insertBlock(c, block);
            pointHeadAt(c, legacy.get(legacy.size() - 1));
        }).start()) {
            Identity.Client app = Identity.app(s, "AUDIT_KEYED_APP");
            try (PrivateApi partner = PrivateApi.builder(app.id(), app.secret()).endpoint(s.url()).build()) {
                for (int i = 0; i < 30; i++) partner.getSamples(null, null, null, null);
            }
            AuditLog audit = Identity.platform(s).audit();
            var jdbc = Identity.platform(s).database().jdbc();
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), audit.verify().reason());
            List<AuditLog.Entry> entries = all(s);
            long head = entries.get(entries.size() - 1).seq();
            assertTrue(head > 60, "old and new entries: " + head);
            Object[] headRow = jdbc.queryOne("SELECT hash, mac FROM audit_head WHERE id = 1", rs -> new Object[] {rs.getString(1), rs.getString(2)})
                    .orElseThrow();

            // A keyed entry changed, and the chain from it to the head recomputed as before the keying (what was possible then).
            rechainFrom(jdbc, entries, 50, "10.0.0.66", null);
            AuditLog.Verification plain = audit.verify();
            assertTrue(plain.firstBrokenSeq().isPresent(), "a consistent rewrite without the key is found");
            assertEquals(java.util.Optional.of(head), plain.firstBrokenSeq(), "first the head, whose seal the intruder cannot make: " + plain.reason());
            jdbc.update("UPDATE audit_head SET hash = ?, mac = ? WHERE id = 1", headRow[0], headRow[1]);
            AuditLog.Verification changed = audit.verify();
            assertEquals(java.util.Optional.of(50L), changed.firstBrokenSeq(), changed.reason());
            // The same under a key of the intruder's own.
            rechainFrom(jdbc, entries, 50, "10.0.0.66", new io.omix.server.audit.ChainKey(new byte[32]));
            jdbc.update("UPDATE audit_head SET hash = ?, mac = ? WHERE id = 1", headRow[0], headRow[1]);
            assertEquals(java.util.Optional.of(50L), audit.verify().firstBrokenSeq(), audit.verify().reason());
            rechainFrom(jdbc, entries, 50, entries.get(49).source(), audit.chainKey());   // put back as it was
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), audit.verify().reason());

            // An entry from before the keying changed, and every hash up to the keying recomputed: the first keyed entry's
            // link (covered by its keyed hash) no longer holds.
            rechainFrom(jdbc, entries.subList(0, legacy.size()), 10, "10.0.0.66", null);
            AuditLog.Verification old = audit.verify();
            assertEquals(java.util.Optional.of((long) legacy.size() + 1), old.firstBrokenSeq(), old.reason());
            assertTrue(old.reason().contains("does not link"), old.reason());
            rechainFrom(jdbc, entries.subList(0, legacy.size()), 10, entries.get(9).source(), null);
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), audit.verify().reason());

            // The oldest entries removed (a retention without its sealed record).
            io.omix.server.testing.AuditTampering.remove(jdbc, seq -> seq < 20);
            AuditLog.Verification cut = audit.verify();
            assertEquals(java.util.Optional.of(20L), cut.firstBrokenSeq(), cut.reason());
            assertTrue(cut.reason().contains("removed"), cut.reason());
            // A cut record made up for it does not hold either.
            jdbc.update("INSERT INTO audit_seals (kind, seq, prev_hash, made_at, mac) VALUES ('cut', 20, ?, CURRENT_TIMESTAMP, ?)",
                    entries.get(18).hash(), "ab".repeat(32));
            assertEquals(java.util.Optional.of(20L), audit.verify().firstBrokenSeq());

            // The record of where the keying began, removed: entries after it could otherwise pass as unkeyed.
            jdbc.update("DELETE FROM audit_seals WHERE kind = 'keyed-from'");
            AuditLog.Verification unsealed = audit.verify();
            assertTrue(unsealed.firstBrokenSeq().isPresent(), "the keying's record missing");
            assertTrue(unsealed.reason().contains("keyed"), unsealed.reason());
        }
    }

    /**
     * Someone who can write to the database and kept an earlier head row: the entries after it removed and the row put
     * back pass the check on their own (the seal cannot tell an earlier head from the current one), but not against a
     * copy of a later head taken elsewhere; nor does the chain rewritten from before a copy, under the key, once it has
     * grown past the copy again.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aHeadMovedBackBehindACopyOfItIsFound(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            AuditLog audit = Identity.platform(s).audit();
            var jdbc = Identity.platform(s).database().jdbc();
            Identity.Client app = Identity.app(s, "AUDIT_HEAD_APP");
            String operator = Identity.operatorToken(s, "head-keeper");
            try (PrivateApi partner = PrivateApi.builder(app.id(), app.secret()).endpoint(s.url()).build()) {
                for (int i = 0; i < 10; i++) partner.getSamples(null, null, null, null);
                AuditLog.Head early = audit.head();
                Object[] earlyRow = jdbc.queryOne("SELECT seq, hash, mac FROM audit_head WHERE id = 1",
                        rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)}).orElseThrow();
                assertEquals(early.seq(), earlyRow[0]);
                for (int i = 0; i < 10; i++) partner.getSamples(null, null, null, null);

                // Over HTTP, as the console or a script takes it; the copy is what verify is given back.
                Model head = get(s, operator, "/admin/audit/head");
                assertEquals(0, head.getInt("code"), head.dumps());
                AuditLog.Head copy = AuditLog.Head.parse(head.getModel("data").getString("copy")).orElseThrow();
                assertEquals(head.getModel("data").getLong("seq"), copy.seq());
                assertTrue(copy.seq() >= early.seq() + 10, copy + " after " + early);
                assertTrue(audit.verify(List.of(early, copy)).firstBrokenSeq().isEmpty(), audit.verify(List.of(early, copy)).reason());
                Model verified = get(s, operator, "/admin/audit/verify?heads=" + early + "," + copy);
                assertEquals(true, verified.getModel("data").getBoolean("intact"), verified.dumps());

                // The entries after the early head removed and its row put back (the requests' own entries appended first).
                audit.flush();
                io.omix.server.testing.AuditTampering.remove(jdbc, seq -> seq > early.seq());
                jdbc.update("UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1", earlyRow[0], earlyRow[1], earlyRow[2]);
                assertTrue(audit.verify().firstBrokenSeq().isEmpty(), "without a copy the earlier head passes: " + audit.verify().reason());
                assertTrue(audit.verify(List.of(early)).firstBrokenSeq().isEmpty(), "a copy it is not behind");
                AuditLog.Verification behind = audit.verify(List.of(early, copy));
                assertEquals(java.util.Optional.of(early.seq() + 1), behind.firstBrokenSeq(), behind.reason());
                assertTrue(behind.reason().contains("behind a copy of it taken at entry " + copy.seq()), behind.reason());
                Model refused = get(s, operator, "/admin/audit/verify?heads=" + copy);
                assertEquals(false, refused.getModel("data").getBoolean("intact"), refused.dumps());
                assertEquals(early.seq() + 1, refused.getModel("data").getLong("first_broken_seq"));

                // The chain grows again from the earlier head (every server appends on it), past the copy: other entries
                // stand where the copy's did.
                for (int i = 0; i < 20; i++) partner.getSamples(null, null, null, null);
                assertTrue(audit.head().seq() > copy.seq());
                assertTrue(audit.verify().firstBrokenSeq().isEmpty(), audit.verify().reason());
                AuditLog.Verification rewritten = audit.verify(List.of(copy));
                assertEquals(java.util.Optional.of(copy.seq()), rewritten.firstBrokenSeq(), rewritten.reason());
                assertTrue(rewritten.reason().contains("rewritten"), rewritten.reason());
            }

            // Copies are checked where they enter: the parameter is named.
            for (String bad : new String[] {"12", "12:" + "g".repeat(64), "-1:" + "a".repeat(64), "12:" + "a".repeat(63)}) {
                Model answer = get(s, operator, "/admin/audit/verify?heads=" + bad);
                assertEquals(41001, answer.getInt("code"), bad + ": " + answer.dumps());
                assertTrue(answer.dumps().contains("heads"), answer.dumps());
            }
            String tooMany = String.join(",", java.util.Collections.nCopies(101, "1:" + "a".repeat(64)));
            assertEquals(41001, get(s, operator, "/admin/audit/verify?heads=" + tooMany).getInt("code"));
            Model twoAnswers = get(s, operator, "/admin/audit/verify?heads=1:" + "a".repeat(64) + ",1:" + "b".repeat(64));
            assertEquals(false, twoAnswers.getModel("data").getBoolean("intact"), "two copies that disagree: " + twoAnswers.dumps());
            Identity.Person person = Identity.user(s, "not-an-operator", "not-an-operator@example.org");
            String userToken = Identity.userToken(s, Identity.confidentialClient(s), person.userId(), "samples").accessToken();
            assertEquals(401, get(s, userToken, "/admin/audit/head").getInt("code"), "the head is for operators");

            // A head row without the key's seal is never handed out to be copied, nor sealed by the entries appended after it
            // (which would launder the change): it stays unsealed, and verify keeps reporting it.
            Identity.platform(s).audit().flush();
            jdbc.update("UPDATE audit_head SET seq = seq + 1000 WHERE id = 1");
            Model unsealed = get(s, operator, "/admin/audit/head");
            assertEquals(false, unsealed.getModel("data").getBoolean("sealed"), unsealed.dumps());
            assertEquals(null, unsealed.getModel("data").get("copy"));
            IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Identity.platform(s).audit().head());
            assertTrue(refused.getMessage().contains("seal"), refused.getMessage());
            Identity.platform(s).audit().flush();   // the requests' own entries, appended after the changed head
            assertTrue(Identity.platform(s).audit().verify().reason().contains("seal"), Identity.platform(s).audit().verify().reason());
        }
    }

    /** The retention's cut is recorded with the key: what it leaves verifies, and the record names where the chain starts. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theRetentionsCutIsSealed(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (TestServer s = withRetentionOf30Days(kind, clock)) {
            AuditLog audit = Identity.platform(s).audit();
            java.time.Instant now = clock.instant();
            for (int i = 0; i < 5; i++) {
                audit.append(List.of(new AuditLog.Entry(0, now.minus(java.time.Duration.ofDays(60 - i)), "client", "app", null,
                        "client_token", "GET /samples", null, 1, "10.0.0.1", "old-" + i, "200 0", null, null)));
            }
            audit.append(List.of(new AuditLog.Entry(0, now, "client", "app", null, "client_token", "GET /samples", null, 1, "10.0.0.1", "now", "200 0",
                    null, null)));
            var jdbc = Identity.platform(s).database().jdbc();
            long firstKept = all(s).stream().filter(e -> "now".equals(e.requestId())).findFirst().orElseThrow().seq();
            s.server().housekeeping().runNow();
            assertEquals(firstKept, all(s).get(0).seq());
            assertTrue(audit.verify().firstBrokenSeq().isEmpty(), audit.verify().reason());
            assertEquals(List.of(firstKept), jdbc.query("SELECT seq FROM audit_seals WHERE kind = 'cut'", rs -> rs.getLong(1)));
            jdbc.update("DELETE FROM audit_seals WHERE kind = 'cut'");
            assertEquals(java.util.Optional.of(firstKept), audit.verify().firstBrokenSeq(), "without its record the cut is a removal");
        }
    }

    /** A chain of {@code n} entries as a version before the keying appended them: plain SHA-256 from the genesis. */
    private static List<AuditLog.Entry> legacyChain(int n) {
        List<AuditLog.Entry> legacy = new ArrayList<>();
        String prev = "0".repeat(64);
        for (int i = 1; i <= n; i++) {
            AuditLog.Entry e = AuditLog.Entry.of("client", "old-app", "old-user", "user_token", "GET /samples", "biosample_id=E-A0000000000" + (i % 10),
                    1, "127.0.0.1", "old-" + i, "200 0").appended(i, java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i), prev, null);
            prev = e.hash();
            legacy.add(e);
        }
        return legacy;
    }

    /** The chain's head set to {@code last}, as the version that appended it left it (no MAC). */
    private static void pointHeadAt(java.sql.Connection c, AuditLog.Entry last) throws java.sql.SQLException {
        try (var ps = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            ps.setLong(1, last.seq());
            ps.setString(2, last.hash());
            ps.executeUpdate();
        }
    }

    private static void insertRow(java.sql.Connection c, AuditLog.Entry e) throws java.sql.SQLException {
        try (var ps = c.prepareStatement("INSERT INTO audit_log (seq, at, actor_kind, actor_id, user_id, credential, operation, resources, records, source,"
                + " request_id, outcome, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            Object[] values = {e.seq(), java.time.OffsetDateTime.ofInstant(e.at(), java.time.ZoneOffset.UTC), e.actorKind(), e.actorId(), e.userId(),
                    e.credential(), e.operation(), e.resources(), e.records(), e.source(), e.requestId(), e.outcome(), e.prevHash(), e.hash()};
            for (int i = 0; i < values.length; i++) ps.setObject(i + 1, values[i]);
            ps.executeUpdate();
        }
    }

    private static void insertBlock(java.sql.Connection c, List<AuditLog.Entry> block) throws java.sql.SQLException {
        io.omix.server.audit.AuditBlock.TimeSpan span = io.omix.server.audit.AuditBlock.TimeSpan.of(block);
        try (var ps = c.prepareStatement("INSERT INTO audit_blocks (first_seq, last_seq, first_at, last_at, entry_count, entries) VALUES (?,?,?,?,?,?)")) {
            ps.setLong(1, block.get(0).seq());
            ps.setLong(2, block.get(block.size() - 1).seq());
            ps.setObject(3, java.time.OffsetDateTime.ofInstant(span.first(), java.time.ZoneOffset.UTC));
            ps.setObject(4, java.time.OffsetDateTime.ofInstant(span.last(), java.time.ZoneOffset.UTC));
            ps.setInt(5, block.size());
            ps.setString(6, io.omix.server.audit.AuditBlock.encodeAsText(block));   // as an earlier version stored blocks
            ps.executeUpdate();
        }
        for (String subject : io.omix.server.audit.AuditBlock.subjects(block)) {
            try (var ps = c.prepareStatement("INSERT INTO audit_block_keys (subject, first_seq) VALUES (?, ?)")) {
                ps.setString(1, subject);
                ps.setLong(2, block.get(0).seq());
                ps.executeUpdate();
            }
        }
    }

    /**
     * Entry {@code seq} of {@code chain} given the source {@code source}, and every later entry of {@code chain} re-hashed in
     * turn under {@code key} (null: plain SHA-256) and written back; the head set to the last one (with its old seal).
     */
    private static void rechainFrom(io.omix.server.common.db.Jdbc jdbc, List<AuditLog.Entry> chain, long seq, String source,
                                    io.omix.server.audit.ChainKey key) {
        String prev = chain.get((int) seq - 2).hash();
        java.util.Map<Long, AuditLog.Entry> rewritten = new java.util.HashMap<>();
        for (AuditLog.Entry e : chain.subList((int) seq - 1, chain.size())) {
            AuditLog.Entry changed = e.seq() == seq ? new AuditLog.Entry(e.seq(), e.at(), e.actorKind(), e.actorId(), e.userId(), e.credential(),
                    e.operation(), e.resources(), e.records(), source, e.requestId(), e.outcome(), null, null) : e;
            AuditLog.Entry hashed = changed.appended(e.seq(), e.at(), prev, key);
            prev = hashed.hash();
            rewritten.put(e.seq(), hashed);
        }
        io.omix.server.testing.AuditTampering.replace(jdbc, rewritten);
        jdbc.update("UPDATE audit_head SET hash = ? WHERE id = 1 AND seq = ?", prev, chain.get(chain.size() - 1).seq());
    }
}
