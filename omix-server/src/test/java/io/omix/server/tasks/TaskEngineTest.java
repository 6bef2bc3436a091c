package io.omix.server.tasks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.db.Database;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.Routes;
import io.omix.server.testing.TestDatabases;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The durable task engine on both databases: exactly-once runs across servers, crash recovery, failures. */
class TaskEngineTest {
    static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k');

    /** Test task kinds: each run of "test.count" records itself in the task's transaction. */
    static final class CountingTasks implements Capability {
        static final AtomicInteger FLAKY_RUNS = new AtomicInteger();
        /** "test.hold" runs until a permit is released here. */
        static final java.util.concurrent.Semaphore HOLD = new java.util.concurrent.Semaphore(0);

        CountingTasks(Platform platform) {
            platform.database().jdbc().update("CREATE TABLE IF NOT EXISTS task_runs (job_id BIGINT NOT NULL, worker VARCHAR(60) NOT NULL)");
            TaskEngine engine = platform.tasks();
            engine.handle("test.count", (run, tx) -> {
                Jdbc.update(tx, "INSERT INTO task_runs (job_id, worker) VALUES (?, ?)", run.task().jobId(), String.valueOf(System.identityHashCode(engine)));
                Thread.sleep(1); // long enough for both servers' workers to interleave
                return JsonNodeFactory.instance.objectNode().put("ran", true);
            });
            engine.handle("test.refuse", (run, tx) -> {
                throw new TaskEngine.TaskFailure("bad input");
            });
            engine.handle("test.flaky", (run, tx) -> {
                Jdbc.update(tx, "INSERT INTO task_runs (job_id, worker) VALUES (?, 'flaky')", run.task().jobId());
                if (FLAKY_RUNS.incrementAndGet() < 3) throw new IllegalStateException("transient trouble");
                return JsonNodeFactory.instance.objectNode();
            });
            engine.handle("test.broken", (run, tx) -> {
                throw new IllegalStateException("always broken");
            });
            engine.handle("test.error", (run, tx) -> {
                throw new StackOverflowError("as a task that ran out of memory or stack would");
            });
            engine.handle("test.fenced", (run, tx) -> {
                int attempt = run.task().attempts();
                Jdbc.update(tx, "INSERT INTO task_runs (job_id, worker) VALUES (?, ?)", run.task().jobId(), "attempt-" + attempt);
                GATES.get(attempt).await(30, java.util.concurrent.TimeUnit.SECONDS);
                return JsonNodeFactory.instance.objectNode().put("attempt", attempt);
            });
            engine.handle("test.hold", (run, tx) -> {
                HOLD.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS);
                return JsonNodeFactory.instance.objectNode();
            });
        }

        /** "test.fenced" records its attempt, then waits for that attempt's gate. */
        static final java.util.Map<Integer, java.util.concurrent.CountDownLatch> GATES = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void routes(Routes routes) {}
    }

    static TestServer start(String kind, String sharedDbUrl) {
        TestServer.Builder b = TestServer.builder().database(kind).capabilities(CountingTasks::new).setting("tasks.lease-seconds", "2")
                .setting("tasks.max-queued-per-owner", "1000").setting("security.master-key", MASTER_KEY);   // one key for the servers of a database
        if (sharedDbUrl != null) b.setting("db.url", sharedDbUrl);
        return b.start();
    }

    static String urlOf(TestServer server, String kind) {
        return TestDatabases.H2.equals(kind) ? Database.embeddedUrl(server.dataDir()) : server.server().platform().config().dbUrl();
    }

    static TaskEngine.Task awaitFinished(TaskEngine engine, String taskId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            TaskEngine.Task t = engine.byTaskId(taskId).orElseThrow();
            if (t.status().finished()) return t;
            Thread.sleep(20);
        }
        throw new AssertionError("task " + taskId + " did not finish");
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoServersOnOneDatabaseRunEachOfAThousandTasksExactlyOnce(String kind) throws Exception {
        try (TestServer first = start(kind, null); TestServer second = start(kind, urlOf(first, kind))) {
            Jdbc jdbc = first.server().platform().database().jdbc();
            TaskEngine engine = first.server().platform().tasks();
            jdbc.inTransaction(tx -> {
                for (int i = 0; i < 1000; i++) engine.submit(tx, "test.count", "test", JsonNodeFactory.instance.objectNode().put("i", i), "/test");
                return null;
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (jdbc.queryOne("SELECT COUNT(*) FROM tasks WHERE kind = 'test.count' AND status = 'SUCCESS'", rs -> rs.getLong(1)).orElseThrow() < 1000) {
                assertTrue(System.nanoTime() < deadline, "1000 tasks did not finish in time");
                Thread.sleep(50);
            }
            assertEquals(1000L, jdbc.queryOne("SELECT COUNT(*) FROM task_runs", rs -> rs.getLong(1)).orElseThrow(), "one run recorded per task");
            assertEquals(1000L, jdbc.queryOne("SELECT COUNT(DISTINCT job_id) FROM task_runs", rs -> rs.getLong(1)).orElseThrow());
            assertEquals(2L, jdbc.queryOne("SELECT COUNT(DISTINCT worker) FROM task_runs", rs -> rs.getLong(1)).orElseThrow(),
                    "both servers ran some");
            assertEquals(1000L, jdbc.queryOne("SELECT COUNT(*) FROM tasks WHERE kind = 'test.count' AND attempts = 1", rs -> rs.getLong(1)).orElseThrow());
        }
    }

    /**
     * One owner's tasks take all but one of a server's workers: another owner's task arriving while the first owner's
     * long tasks run starts at once (it waited for one of them to end before, however long). Its queue is bounded too.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void oneCallersQueueIsBoundedAndHoldsNobodyElseBack(String kind) throws Exception {
        CountingTasks.HOLD.drainPermits();
        try (TestServer server = TestServer.builder().database(kind).capabilities(CountingTasks::new).setting("tasks.workers", "2")
                .setting("tasks.max-queued-per-owner", "1").start()) {
            Jdbc jdbc = server.server().platform().database().jdbc();
            TaskEngine engine = server.server().platform().tasks();
            TaskEngine.Task first = engine.submit("test.hold", "key:greedy", JsonNodeFactory.instance.objectNode(), "/t");
            awaitStatus(engine, first, TaskEngine.Status.STARTED, "a worker took the greedy owner's task");
            TaskEngine.Task second = engine.submit("test.hold", "key:greedy", JsonNodeFactory.instance.objectNode(), "/t");
            io.omix.server.common.http.ApiException refused = org.junit.jupiter.api.Assertions.assertThrows(io.omix.server.common.http.ApiException.class,
                    () -> engine.submit("test.hold", "key:greedy", JsonNodeFactory.instance.objectNode(), "/t"));
            assertEquals(io.omix.server.common.http.ErrorCode.HTTP_TOO_MANY_REQUESTS, refused.error(), "one waiting task of one owner at most (tasks.max-queued-per-owner)");
            Thread.sleep(600); // several of the idle worker's polls
            assertEquals(TaskEngine.Status.PENDING, engine.byTaskId(second.taskId()).orElseThrow().status(), "the second worker is kept for others");

            TaskEngine.Task other = engine.submit("test.hold", "key:modest", JsonNodeFactory.instance.objectNode(), "/t");
            awaitStatus(engine, other, TaskEngine.Status.STARTED, "the other owner's task started while the greedy owner's ran");
            assertEquals(2L, jdbc.queryOne("SELECT COUNT(*) FROM tasks WHERE status = 'STARTED'", rs -> rs.getLong(1)).orElseThrow());
            CountingTasks.HOLD.release(3);
            for (TaskEngine.Task t : List.of(first, second, other)) assertEquals(TaskEngine.Status.SUCCESS, awaitFinished(engine, t.taskId()).status());
        }
    }

    static void awaitStatus(TaskEngine engine, TaskEngine.Task task, TaskEngine.Status status, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.byTaskId(task.taskId()).orElseThrow().status() != status) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }

    /**
     * Submissions at once stay within tasks.max-queued-per-owner: each counts its owner's waiting tasks under the owner's
     * lock. Before, requests submitting together could each count before the others had inserted, and go in past it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void submissionsAtOnceStayWithinTheQueue(String kind) throws Exception {
        try (TestServer server = TestServer.builder().database(kind).setting("tasks.workers", "0").setting("tasks.max-queued-per-owner", "3").start()) {
            Jdbc jdbc = server.server().platform().database().jdbc();
            TaskEngine engine = server.server().platform().tasks();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(8);
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 3; i++) {
                        together.await(20, java.util.concurrent.TimeUnit.SECONDS);
                        try {
                            // Each in a transaction that does a little more after submitting, as a batch's commit does.
                            jdbc.inTransaction(tx -> {
                                engine.submit(tx, "test.count", "dsk:racing", JsonNodeFactory.instance.objectNode(), "/t");
                                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                                return null;
                            });
                        } catch (io.omix.server.common.http.ApiException e) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            pool.shutdown();
            assertEquals(3L, jdbc.queryOne("SELECT COUNT(*) FROM tasks WHERE owner = 'dsk:racing' AND status = 'PENDING'", rs -> rs.getLong(1)).orElseThrow());
            assertEquals(21, refused.get());
            engine.submit("test.count", "dsk:other", JsonNodeFactory.instance.objectNode(), "/t"); // another owner is not held back
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aTaskWhoseServerDiedIsClaimedAgainOnceItsLeaseRunsOut(String kind) throws Exception {
        try (TestServer server = start(kind, null)) {
            Jdbc jdbc = server.server().platform().database().jdbc();
            TaskEngine engine = server.server().platform().tasks();
            // A server claimed it, started writing, and was killed: its transaction never committed.
            TaskEngine.Task task = jdbc.inTransaction(tx -> {
                TaskEngine.Task t = engine.submit(tx, "test.count", "test", JsonNodeFactory.instance.objectNode(), "/test");
                Jdbc.update(tx, "UPDATE tasks SET status = 'STARTED', claimed_by = 'w-dead', attempts = 1, lease_until = ? WHERE job_id = ?",
                        OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(1), t.jobId());
                return t;
            });
            TaskEngine.Task done = awaitFinished(engine, task.taskId());
            assertEquals(TaskEngine.Status.SUCCESS, done.status());
            assertEquals(2, done.attempts());
            assertEquals(1L, jdbc.queryOne("SELECT COUNT(*) FROM task_runs WHERE job_id = ?", rs -> rs.getLong(1), task.jobId()).orElseThrow());

            // One interrupted too often is failed, not run forever.
            TaskEngine.Task doomed = jdbc.inTransaction(tx -> {
                TaskEngine.Task t = engine.submit(tx, "test.count", "test", JsonNodeFactory.instance.objectNode(), "/test");
                Jdbc.update(tx, "UPDATE tasks SET status = 'STARTED', claimed_by = 'w-dead', attempts = 3, lease_until = ? WHERE job_id = ?",
                        OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1), t.jobId());
                return t;
            });
            TaskEngine.Task failed = awaitFinished(engine, doomed.taskId());
            assertEquals(TaskEngine.Status.FAILURE, failed.status());
            assertTrue(failed.result().path("error").asText().contains("interrupted"));
        }
    }

    /**
     * A run whose lease ran out (a long pause) while another worker of the same server claimed the task again: when
     * the first run ends, its work and its result are not recorded; the second run's are, once.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRunWhoseLeaseRanOutIsFencedOffEvenOnTheSameServer(String kind) throws Exception {
        var first = new java.util.concurrent.CountDownLatch(1);
        var second = new java.util.concurrent.CountDownLatch(1);
        CountingTasks.GATES.put(1, first);
        CountingTasks.GATES.put(2, second);
        try (TestServer server = start(kind, null)) {
            Jdbc jdbc = server.server().platform().database().jdbc();
            TaskEngine engine = server.server().platform().tasks();
            TaskEngine.Task task = engine.submit("test.fenced", "test", JsonNodeFactory.instance.objectNode(), "/t");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Run 1 holds the task; its lease is made to run out (again and again: its heartbeat renews it) until run 2 claims it.
            while (engine.byTaskId(task.taskId()).orElseThrow().attempts() < 2) {
                assertTrue(System.nanoTime() < deadline, "the task was not claimed again");
                jdbc.update("UPDATE tasks SET lease_until = ? WHERE job_id = ? AND status = 'STARTED' AND attempts = 1",
                        OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(10), task.jobId());
                Thread.sleep(20);
            }
            first.countDown();
            Thread.sleep(700);
            TaskEngine.Task meanwhile = engine.byTaskId(task.taskId()).orElseThrow();
            assertEquals(TaskEngine.Status.STARTED, meanwhile.status(), "the first run's success does not count: " + meanwhile.result());
            second.countDown();
            TaskEngine.Task done = awaitFinished(engine, task.taskId());
            assertEquals(TaskEngine.Status.SUCCESS, done.status());
            assertEquals(2, done.result().path("attempt").asInt(), done.result().toString());
            assertEquals(List.of("attempt-2"), jdbc.query("SELECT worker FROM task_runs WHERE job_id = ?", rs -> rs.getString(1), task.jobId()),
                    "the first run's writes were rolled back");
        } finally {
            first.countDown();
            second.countDown();
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void deliberateFailuresAreFinalAndUnexpectedOnesAreRetriedWithTheirWorkRolledBack(String kind) throws Exception {
        CountingTasks.FLAKY_RUNS.set(0);
        try (TestServer server = start(kind, null)) {
            Jdbc jdbc = server.server().platform().database().jdbc();
            TaskEngine engine = server.server().platform().tasks();
            TaskEngine.Task refused = awaitFinished(engine, engine.submit("test.refuse", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            assertEquals(TaskEngine.Status.FAILURE, refused.status());
            assertEquals("bad input", refused.result().path("error").asText());
            assertEquals(1, refused.attempts());

            TaskEngine.Task flaky = awaitFinished(engine, engine.submit("test.flaky", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            assertEquals(TaskEngine.Status.SUCCESS, flaky.status());
            assertEquals(3, flaky.attempts());
            assertEquals(1L, jdbc.queryOne("SELECT COUNT(*) FROM task_runs WHERE worker = 'flaky'", rs -> rs.getLong(1)).orElseThrow(),
                    "the failed attempts' writes were rolled back");

            TaskEngine.Task broken = awaitFinished(engine, engine.submit("test.broken", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            assertEquals(TaskEngine.Status.FAILURE, broken.status());
            assertEquals(TaskEngine.MAX_ATTEMPTS, broken.attempts());

            TaskEngine.Task unknown = awaitFinished(engine, engine.submit("test.nobody", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            assertEquals(TaskEngine.Status.FAILURE, unknown.status());
            List<String> statuses = jdbc.query("SELECT DISTINCT status FROM tasks", rs -> rs.getString(1));
            assertTrue(statuses.stream().allMatch(s -> s.equals("SUCCESS") || s.equals("FAILURE")), statuses.toString());
        }
    }

    /**
     * A task that throws an Error (out of memory, a stack too deep) fails after its attempts like any other, and the
     * server's workers go on: before, each attempt ended the worker that ran it, and once both had gone no owner's task
     * ran on that server until a restart.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aTaskThatThrowsAnErrorFailsAndTheWorkersGoOn(String kind) throws Exception {
        try (TestServer server = start(kind, null)) {
            TaskEngine engine = server.server().platform().tasks();
            TaskEngine.Task error = awaitFinished(engine, engine.submit("test.error", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            assertEquals(TaskEngine.Status.FAILURE, error.status());
            assertEquals(TaskEngine.MAX_ATTEMPTS, error.attempts());
            assertTrue(error.result().path("error").asText().contains("internal error"), error.result().toString());
            List<String> after = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) after.add(engine.submit("test.count", "test", JsonNodeFactory.instance.objectNode(), "/t").taskId());
            for (String id : after) assertEquals(TaskEngine.Status.SUCCESS, awaitFinished(engine, id).status(), "the workers still run tasks");
        }
    }
}
