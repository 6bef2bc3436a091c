package io.omix.sdk;

import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The private platform's batches through the SDK: register, import, commit as a task, and reading the items. */
class BatchesTest {
    static final String RECORD = "00011d12-b363-11e9-bfed-00163e104c79";
    static final String INDEX = "00011d13-b363-11e9-bfed-00163e104c79";
    static final Duration WAIT = Duration.ofSeconds(30);

    static TestServer server;
    static PrivateApi app;
    static PrivateApi otherApp;
    static String sample;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        Identity.Client one = Identity.app(server, "BATCH_APP");
        Identity.Client two = Identity.app(server, "OTHER_APP");
        app = PrivateApi.builder(one.id(), one.secret()).endpoint(server.url()).build();
        otherApp = PrivateApi.builder(two.id(), two.secret()).endpoint(server.url()).build();
        String project = new SampleStore(server.server().platform()).createProject("batches", 1, null, null, null).projectId();
        sample = app.registerSample(11, project, "B-1", Map.of()).getString("biosample_id");
    }

    @AfterAll
    static void stop() {
        app.close();
        otherApp.close();
        server.close();
    }

    static int code(Runnable call) {
        return assertThrows(ApiException.class, call::run).code();
    }

    static List<Map<String, Object>> items(int n, int from) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            items.add(Map.of("data_element_id", i % 2 == 0 ? RECORD : INDEX,
                    "attributes", Map.of("deid_idx", "deid-" + i, "age", 18 + i % 50, "parents", List.of("father", "mother"))));
        }
        return items;
    }

    @Test
    void aBatchIsInvisibleUntilItsCommitTaskSucceedsThenVisibleWhole() {
        long batchNo = app.registerBatch("test_batch", "test_batch_intro").getLong("batch_no");
        assertTrue(batchNo > 1_600_000_000_000L, "millisecond-timestamp-like, as on the original");
        Model fresh = app.retrieveBatch(batchNo);
        assertEquals("test_batch", fresh.getString("name"));
        assertEquals("test_batch_intro", fresh.getString("intro"));
        assertEquals("BATCH_APP", fresh.getString("namespace"));
        assertEquals(false, fresh.getBoolean("committed"));
        assertEquals(false, fresh.getBoolean("extracted"));
        assertNull(fresh.get("commit_time"));
        assertTrue(fresh.getString("ctime").matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}"));

        app.importBatch(batchNo, items(100, 0), sample);
        app.importBatch(batchNo, items(50, 100), sample);
        assertEquals(0, app.getDataItems(sample, batchNo, null, null, null).getList("result").size(), "nothing visible before commit");

        Model task = app.commitBatch(batchNo);
        assertTrue(List.of("PENDING", "STARTED", "SUCCESS").contains(task.getString("progress")));
        assertTrue(task.getString("task_url").endsWith("/private/task/" + task.getString("task_id")));
        Model done = app.waitFor(task, WAIT);
        assertEquals("SUCCESS", done.getString("progress"));
        assertEquals(150, done.at("result.data_items"));
        assertTrue(done.getString("completed") != null);

        Model committed = app.retrieveBatch(batchNo);
        assertEquals(true, committed.getBoolean("committed"));
        assertTrue(committed.getString("commit_time") != null);

        List<Model> all = new ArrayList<>();
        app.dataItems(sample, batchNo, null).forEach(all::add);
        assertEquals(150, all.size());
        assertEquals("deid-0", all.get(0).at("attributes.deid_idx"));
        assertEquals("deid-149", all.get(149).at("attributes.deid_idx"), "in import order across calls");
        assertEquals(List.of("father", "mother"), all.get(3).getModel("attributes").getList("parents").json());
        assertEquals(Long.valueOf(batchNo), all.get(0).getLong("collection_id"));

        Model page = app.getDataItems(sample, batchNo, List.of(INDEX), null, 20);
        assertEquals(20, page.getList("result").size());
        assertTrue(page.getList("result").models().stream().allMatch(m -> m.getString("data_element_id").equals(INDEX)));
        Model second = app.getDataItems(sample, batchNo, List.of(INDEX), page.getString("next_page"), 100);
        assertEquals(55, second.getList("result").size(), "75 index items: 20 then 55");
        assertNull(second.get("next_page"));
    }

    @Test
    void committingTwiceOrImportingAfterACommitIsRefused() {
        long batchNo = app.registerBatch("once", "").getLong("batch_no");
        app.importBatch(batchNo, items(3, 0), sample);
        Model task = app.commitBatch(batchNo);
        ApiException twice = assertThrows(ApiException.class, () -> app.commitBatch(batchNo));
        assertEquals(41001, twice.code());
        assertTrue(twice.dataModel().getString("batch_no").contains("committed"));
        assertEquals(41001, code(() -> app.importBatch(batchNo, items(1, 9), sample)));
        assertEquals("SUCCESS", app.waitFor(task, WAIT).getString("progress"));
        assertEquals(41001, code(() -> app.importBatch(batchNo, items(1, 9), sample)));
        assertEquals(3L, app.retrieveBatch(batchNo).getLong("data_items"));
    }

    @Test
    void aBadItemRejectsTheWholeCallNamingIt() {
        long batchNo = app.registerBatch("bad items", "").getLong("batch_no");
        List<Map<String, Object>> items = new ArrayList<>(items(5, 0));
        items.set(3, Map.of("data_element_id", "00000000-0000-0000-0000-000000000000", "attributes", Map.of()));
        ApiException e = assertThrows(ApiException.class, () -> app.importBatch(batchNo, items, sample));
        assertEquals(41001, e.code());
        assertEquals("no such data element", e.dataModel().getString("data_items[3].data_element_id"));
        List<Map<String, Object>> notObjects = List.of(Map.of("data_element_id", RECORD, "attributes", List.of(1, 2)));
        assertEquals("must be a JSON object", assertThrows(ApiException.class, () -> app.importBatch(batchNo, notObjects, sample))
                .dataModel().getString("data_items[0].attributes"));
        assertEquals(41001, code(() -> app.importBatch(batchNo, items(101, 0), sample)), "at most 100 items a call");
        assertEquals(41001, code(() -> app.importBatch(batchNo, List.of(), sample)));
        assertEquals(0L, app.retrieveBatch(batchNo).getLong("data_items"), "nothing of a refused call was written");
        assertEquals(41001, code(() -> app.importBatch(424242L, items(1, 0), sample)), "unknown batch");
        assertEquals(41001, code(() -> app.registerBatch(null, "")), "title is required");
    }

    @Test
    void anotherAppSeesNeitherTheBatchNorItsItemsNorItsTask() {
        long batchNo = app.registerBatch("mine", "").getLong("batch_no");
        app.importBatch(batchNo, items(2, 0), sample);
        Model task = app.waitFor(app.commitBatch(batchNo), WAIT);
        assertEquals(41001, code(() -> otherApp.retrieveBatch(batchNo)));
        assertEquals(41001, code(() -> otherApp.importBatch(batchNo, items(1, 0), null)));
        assertEquals(41001, code(() -> otherApp.commitBatch(batchNo)));
        assertEquals(41001, code(() -> otherApp.task(task.getString("task_id"))));
        assertEquals(41303, code(() -> otherApp.getDataItems(sample, null, null, null, null)), "not its sample");
        assertEquals(41001, code(() -> otherApp.getDataItems(null, batchNo, null, null, null)), "not its batch");
        assertEquals(41303, code(() -> otherApp.importBatch(otherApp.registerBatch("x", "").getLong("batch_no"), items(1, 0), sample)));
    }

    @Test
    void theOpenPlatformReadsCommittedItemsOfSamplesItSees() {
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build(); Api client = o.getCredentialsToken().api()) {
            String project = new SampleStore(server.server().platform()).createProject("open-items", 1, null, null, null).projectId();
            String own = client.registerSample("OI-1", 11, project).getString("biosample_id");
            long batchNo = app.registerBatch("open", "").getLong("batch_no");
            assertEquals(41303, code(() -> app.importBatch(batchNo, items(1, 0), own)), "the app does not see the client's sample");
            // Items about a sample the client sees, imported by an app that sees it too.
            new SampleStore(server.server().platform()).assignClient(sample, c.id());
            app.importBatch(batchNo, items(30, 0), sample);
            app.waitFor(app.commitBatch(batchNo), WAIT);
            List<Model> read = new ArrayList<>();
            client.dataItems("BATCH_APP", sample, batchNo, null).forEach(read::add);
            assertEquals(30, read.size());
            assertEquals(0, client.getDataItems("OTHER_APP", sample, batchNo, null, null).getList("result").size(), "another namespace");
            assertEquals(41303, code(() -> client.getDataItems("BATCH_APP", "E-Z00000000000", null, null, null)));
            assertEquals(41001, code(() -> client.getDataItems(null, sample, null, null, null)), "namespace is required");
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i < 101; i++) tooMany.add(String.format("00000000-0000-0000-0000-%012d", i));
            assertEquals(41001, code(() -> client.getDataItems("BATCH_APP", sample, null, tooMany, null)), "at most 100 data elements");
        }
    }

    /**
     * A namespace holds at most batches.max-open-per-namespace batches not yet committed, empty or not: the registration
     * beyond is refused (41401), and a commit makes room again.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aNamespaceHoldsNoMoreOpenBatchesThanItsQuota(String kind) {
        try (TestServer s = TestServer.builder().database(kind).setting("batches.max-open-per-namespace", "2").start()) {
            Identity.Client a = Identity.app(s, "FEW_BATCHES_APP");
            Identity.Client b = Identity.app(s, "MORE_BATCHES_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build();
                 PrivateApi other = PrivateApi.builder(b.id(), b.secret()).endpoint(s.url()).build()) {
                long first = p.registerBatch("first", "").getLong("batch_no");
                p.registerBatch("second", "");
                ApiException over = assertThrows(ApiException.class, () -> p.registerBatch("third", ""));
                assertEquals(Codes.QUOTA_EXCEEDED, over.code(), over.getMessage());
                assertEquals("batches.max-open-per-namespace", over.dataModel().getString("limit"));
                other.registerBatch("own", "");
                other.registerBatch("own, too", "");
                assertEquals(TaskState.SUCCESS, p.tasks().waitFor(p.batches().commit(first), java.time.Duration.ofMinutes(1)).state());
                p.registerBatch("third", "");   // the commit made room
                assertThrows(ApiException.class, () -> p.registerBatch("fourth", ""));
            }
        }
    }

    /**
     * A page of items holds at most 8 MiB of attributes (a thousand items of 64 KiB each were 64 Mi characters held at
     * once, and as much again parsed): it ends early with its next_page, and paging on gives every item once, in order,
     * its attributes as imported.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPageOfLargeItemsEndsAtItsBudgetAndGoesOnThroughItsNextPage(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "LARGE_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("large", 1, null, null, null).projectId();
                String id = p.registerSample(11, project, "L-1", Map.of()).getString("biosample_id");
                long batchNo = p.registerBatch("large", "").getLong("batch_no");
                String filler = "x".repeat(60_000);
                for (int call = 0; call < 2; call++) {
                    List<Map<String, Object>> large = new ArrayList<>();
                    for (int i = call * 100; i < call * 100 + 100; i++) {
                        large.add(Map.of("data_element_id", RECORD, "attributes", Map.of("n", i, "filler", filler, "text", "é\"\\ " + i)));
                    }
                    p.importBatch(batchNo, large, id);
                }
                assertEquals("SUCCESS", p.waitFor(p.commitBatch(batchNo), WAIT).getString("progress"));
                Model first = p.getDataItems(id, batchNo, null, null, 1000);
                int firstCount = first.getList("result").size();
                assertTrue(firstCount >= 100 && firstCount < 200, "8 MiB of 60 kB items: " + firstCount);
                assertEquals(firstCount, first.getInt("count"));
                assertNotNull(first.get("next_page"), "the page ended at its budget, not at the end");
                List<Model> all = new ArrayList<>(first.getList("result").models());
                String next = first.getString("next_page");
                while (next != null) {
                    Model page = p.getDataItems(id, batchNo, null, next, 1000);
                    all.addAll(page.getList("result").models());
                    next = page.getString("next_page");
                }
                assertEquals(200, all.size());
                for (int i = 0; i < 200; i++) {
                    Model attributes = all.get(i).getModel("attributes");
                    assertEquals(i, attributes.getInt("n"));
                    assertEquals(filler, attributes.getString("filler"));
                    assertEquals("é\"\\ " + i, attributes.getString("text"));
                }
            }
        }
    }

    /** A namespace's batches hold at most batches.max-items-per-namespace items: the import beyond is refused whole (41401). */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aNamespaceHoldsNoMoreItemsThanItsQuota(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("batches.max-items-per-namespace", "5").start()) {
            Identity.Client a = Identity.app(s, "QUOTA_APP");
            Identity.Client b = Identity.app(s, "ROOMY_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build();
                 PrivateApi other = PrivateApi.builder(b.id(), b.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("q", 1, null, null, null).projectId();
                String id = p.registerSample(11, project, "Q-1", Map.of()).getString("biosample_id");
                long first = p.registerBatch("first", "").getLong("batch_no");
                long second = p.registerBatch("second", "").getLong("batch_no");
                p.importBatch(first, items(3, 0), id);
                ApiException over = assertThrows(ApiException.class, () -> p.importBatch(second, items(3, 3), id));
                assertEquals(Codes.QUOTA_EXCEEDED, over.code(), over.getMessage());
                assertTrue(over.getMessage().contains("batches.max-items-per-namespace"), over.getMessage());
                p.importBatch(second, items(2, 3), id);   // what is left of the room
                assertEquals(3, p.retrieveBatch(first).getInt("data_items"));
                assertEquals(2, p.retrieveBatch(second).getInt("data_items"), "the refused call wrote none of its items");
                String otherProject = new SampleStore(s.server().platform()).createProject("r", 1, null, null, null).projectId();
                String otherSample = other.registerSample(11, otherProject, "R-1", Map.of()).getString("biosample_id");
                other.importBatch(other.registerBatch("own", "").getLong("batch_no"), items(5, 0), otherSample);   // another namespace's own room
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void concurrentImportsIntoOneBatchKeepEveryItemOnce(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "CONCURRENT_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("c", 1, null, null, null).projectId();
                String id = p.registerSample(11, project, "C-1", Map.of()).getString("biosample_id");
                long batchNo = p.registerBatch("concurrent", "").getLong("batch_no");
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int t = 0; t < 4; t++) {
                    int from = t * 1000;
                    Thread thread = new Thread(() -> {
                        try {
                            for (int call = 0; call < 10; call++) p.importBatch(batchNo, items(100, from + call * 100), id);
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                for (Thread t : threads) t.join();
                assertTrue(failures.isEmpty(), failures.toString());
                assertEquals("SUCCESS", p.waitFor(p.commitBatch(batchNo), WAIT).getString("progress"));
                java.util.Set<Object> seen = new java.util.HashSet<>();
                for (Model m : p.dataItems(id, batchNo, null)) assertTrue(seen.add(m.at("attributes.deid_idx")), "once each");
                assertEquals(4000, seen.size());
                assertFalse(seen.contains("deid-4000"));
            }
        }
    }

    /**
     * A commit whose task failed for good (its retries used up: a server killed three times under it) leaves the batch
     * open again: imports and a new commit are taken. It refused both for good before, and the batch counted against
     * batches.max-open-per-namespace for good.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aCommitThatFailedForGoodLeavesItsBatchOpen(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'c');
        try (TestServer queuing = TestServer.builder().database(kind).setting("security.master-key", key).setting("tasks.workers", "0").start()) {
            Identity.Client one = Identity.app(queuing, "FAILED_COMMIT_APP");
            try (PrivateApi p = PrivateApi.builder(one.id(), one.secret()).endpoint(queuing.url()).build()) {
                String project = new SampleStore(queuing.server().platform()).createProject("failed commits", 1, null, null, null).projectId();
                String mine = p.registerSample(11, project, "FC-1", Map.of()).getString("biosample_id");
                long batchNo = p.registerBatch("failing", "").getLong("batch_no");
                p.importBatch(batchNo, items(3, 0), mine);
                Model task = p.commitBatch(batchNo);
                assertEquals(41001, code(() -> p.importBatch(batchNo, items(1, 3), mine)), "queued for commit: closed");
                var jdbc = queuing.server().platform().database().jdbc();
                jdbc.update("UPDATE tasks SET attempts = 3 WHERE task_id = ?", task.getString("task_id")); // three runs cut short
                String url = io.omix.server.testing.TestDatabases.H2.equals(kind)
                        ? io.omix.server.common.db.Database.embeddedUrl(queuing.dataDir()) : queuing.server().platform().config().dbUrl();
                try (TestServer running = TestServer.builder().database(kind).setting("db.url", url).setting("security.master-key", key).start()) {
                    Model failed = p.waitFor(task, WAIT);
                    assertEquals("FAILURE", failed.getString("progress"), failed.dumps());
                    assertEquals(false, p.retrieveBatch(batchNo).getBoolean("committed"));
                    p.importBatch(batchNo, items(1, 3), mine);   // open again
                    Model again = p.waitFor(p.commitBatch(batchNo), WAIT);
                    assertEquals("SUCCESS", again.getString("progress"), again.dumps());
                    assertEquals(4, again.at("result.data_items"));
                }
            }
        }
    }

    /**
     * A commit queued by an app that is disabled before it runs is not run: it fails saying so, and the batch stays
     * open and unpublished (a leaked app's queued commits went on publishing in its name after the operator disabled it).
     * Enabled again, the app commits it.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aCommitQueuedBeforeItsAppWasDisabledDoesNotRun(String kind) throws Exception {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'd');
        try (TestServer queuing = TestServer.builder().database(kind).setting("security.master-key", key).setting("tasks.workers", "0").start()) {
            Identity.Client one = Identity.app(queuing, "DISABLED_APP");
            try (PrivateApi p = PrivateApi.builder(one.id(), one.secret()).endpoint(queuing.url()).build()) {
                String project = new SampleStore(queuing.server().platform()).createProject("disabled", 1, null, null, null).projectId();
                String mine = p.registerSample(11, project, "DA-1", Map.of()).getString("biosample_id");
                long batchNo = p.registerBatch("queued", "").getLong("batch_no");
                p.importBatch(batchNo, items(3, 0), mine);
                String taskId = p.commitBatch(batchNo).getString("task_id");
                io.omix.server.apps.PrivateAppStore apps = new io.omix.server.apps.PrivateAppStore(queuing.server().platform());
                assertTrue(apps.setDisabled(one.id(), true));
                var jdbc = queuing.server().platform().database().jdbc();
                String url = io.omix.server.testing.TestDatabases.H2.equals(kind)
                        ? io.omix.server.common.db.Database.embeddedUrl(queuing.dataDir()) : queuing.server().platform().config().dbUrl();
                try (TestServer running = TestServer.builder().database(kind).setting("db.url", url).setting("security.master-key", key).start()) {
                    String[] ended = null;
                    for (long end = System.nanoTime() + WAIT.toNanos(); System.nanoTime() < end; Thread.sleep(50)) {
                        ended = jdbc.queryOne("SELECT status, result FROM tasks WHERE task_id = ? AND status IN ('SUCCESS', 'FAILURE')",
                                rs -> new String[] {rs.getString(1), rs.getString(2)}, taskId).orElse(null);
                        if (ended != null) break;
                    }
                    assertNotNull(ended, "the task ended");
                    assertEquals("FAILURE", ended[0], ended[1]);
                    assertTrue(ended[1].contains("disabled before it ran"), ended[1]);
                    assertTrue(apps.setDisabled(one.id(), false));
                    assertEquals(false, p.retrieveBatch(batchNo).getBoolean("committed"));
                    assertEquals(0, p.getDataItems(mine, batchNo, null, null, null).getList("result").size(), "nothing published");
                    Model again = p.waitFor(p.commitBatch(batchNo), WAIT);
                    assertEquals("SUCCESS", again.getString("progress"), again.dumps());
                }
            }
        }
    }
}
