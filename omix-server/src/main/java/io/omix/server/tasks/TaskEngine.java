package io.omix.server.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omix.server.ServerConfig;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ServerJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one engine behind every asynchronous operation. Tasks are rows of the {@code tasks} table;
 * a worker claims one by moving it to STARTED under a lease (a conditional UPDATE, so two servers
 * never both win), renews the lease while it runs, and records the outcome. A handler's writes and
 * the task's completion commit in one transaction, fenced on the lease holder: a task whose server
 * died is claimed again once its lease runs out, and its half-done work was rolled back with it.
 */
public final class TaskEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);
    /** Runs of one task before an unexpected failure (or a crash) becomes final. */
    static final int MAX_ATTEMPTS = 3;
    private static final Duration IDLE_POLL = Duration.ofMillis(250);

    public enum Status { PENDING, STARTED, SUCCESS, FAILURE, REVOKED;
        public boolean finished() {
            return this == SUCCESS || this == FAILURE || this == REVOKED;
        }
    }

    public record Task(long jobId, String taskId, String kind, String owner, JsonNode payload, Status status, JsonNode result,
                       int progress, int attempts, String path, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                       OffsetDateTime completedAt) {}

    /** Runs a claimed task inside {@code tx}; its answer becomes the task's result when {@code tx} commits. */
    @FunctionalInterface
    public interface Handler {
        JsonNode run(Run run, Connection tx) throws Exception;
    }

    /** What a handler sees of its run. */
    public interface Run {
        Task task();

        /** Records progress (0-100) at once, outside the handler's transaction, for those watching. */
        void progress(int percent);

        /**
         * Runs {@code work} once the handler's transaction has committed ({@code committed}) or once it did not (rolled
         * back, failed, or taken over by another server): what the run did outside the database, to finish or take back.
         */
        default void then(boolean committed, Runnable work) {
            throw new UnsupportedOperationException("this run cannot do work after its transaction");
        }
    }

    /** A deliberate, final failure: not retried; its message is the task's result. */
    public static final class TaskFailure extends RuntimeException {
        private final transient JsonNode details;

        public TaskFailure(String message, JsonNode details) {
            super(message, null, false, false);
            this.details = details;
        }

        public TaskFailure(String message) {
            this(message, null);
        }
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final Duration lease;
    /** How long a stop waits for running tasks (server.shutdown-timeout-seconds). */
    private final Duration drainTime;
    private final int workers;
    private final int queuedPerOwner;
    private final String workerId = "w-" + UUID.randomUUID().toString().substring(0, 13);
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    /** The tasks this engine runs now: job id to the id of the claim it runs under. */
    private final Map<Long, String> running = new ConcurrentHashMap<>();
    /** How many of this server's workers each owner's tasks hold now (at most {@link #ownerWorkers}). */
    private final Map<String, Integer> workersByOwner = new HashMap<>();
    /**
     * The most of this server's workers one owner's tasks take at once: all but one, so that another owner's task
     * arriving while one owner's long tasks run starts at once instead of waiting for one of them to end.
     */
    private final int ownerWorkers;
    private final java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong();
    private final Object wakeUp = new Object();
    private volatile boolean stopping;
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService heartbeat;

    public TaskEngine(Jdbc jdbc, ServerConfig config, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.lease = config.taskLease();
        this.drainTime = config.shutdownTimeout();
        this.workers = config.taskWorkers();
        this.ownerWorkers = Math.max(1, workers - 1);
        this.queuedPerOwner = config.quotas().tasksQueuedPerOwner();
    }

    /** How a kind's stored result is shown: what must not be stored (a live link) is made when it is read, for its reader. */
    @FunctionalInterface
    public interface ResultView {
        JsonNode show(Task task, io.omix.server.common.http.ApiRequest reader);
    }

    private final Map<String, ResultView> views = new ConcurrentHashMap<>();

    /** Shows results of {@code kind} through {@code view} (tasks of other kinds show what they stored). */
    public void viewResults(String kind, ResultView view) {
        views.put(kind, view);
    }

    /** A task's result as {@code reader} sees it. */
    public JsonNode resultOf(Task task, io.omix.server.common.http.ApiRequest reader) {
        ResultView view = views.get(task.kind());
        return view == null || task.result() == null ? task.result() : view.show(task, reader);
    }

    /** How many rows of task_queue_locks (V46) owners' submissions are spread over. */
    private static final int QUEUE_LOCKS = 64;

    /** Registers what runs tasks of {@code kind}; every server of a deployment registers the same kinds. */
    public void handle(String kind, Handler handler) {
        if (handlers.putIfAbsent(kind, handler) != null) throw new IllegalStateException("two handlers for task kind " + kind);
    }

    /** What a kind's task that ended in FAILURE leaves to undo, in the transaction that records the failure. */
    @FunctionalInterface
    public interface GivenUp {
        void undo(Connection tx, Task task) throws SQLException;
    }

    private final Map<String, GivenUp> givenUp = new ConcurrentHashMap<>();

    /**
     * Runs {@code undo} when a task of {@code kind} ends in FAILURE (a deliberate refusal, or retries used up), with the
     * failure's record: a mark its request left (a batch queued for commit) would otherwise stay for good.
     */
    public void onGivenUp(String kind, GivenUp undo) {
        givenUp.put(kind, undo);
    }

    /** Queues a task; it commits with {@code tx}, so work and the task that finishes it are queued together. */
    public Task submit(Connection tx, String kind, String owner, JsonNode payload, String path) throws SQLException {
        // Counted under the owner's lock row (one of 64, by hash), held until tx ends: submissions at once take turns.
        Jdbc.query(tx, "SELECT slot FROM task_queue_locks WHERE slot = ? FOR UPDATE", rs -> 1, Math.floorMod(owner.hashCode(), QUEUE_LOCKS));
        long queued = Jdbc.query(tx, "SELECT COUNT(*) FROM tasks WHERE owner = ? AND status = 'PENDING'", rs -> rs.getLong(1), owner).get(0);
        if (queued >= queuedPerOwner) {
            throw new io.omix.server.common.http.ApiException(io.omix.server.common.http.ErrorCode.HTTP_TOO_MANY_REQUESTS,
                    java.util.Map.of("tasks", "at most " + queuedPerOwner + " tasks of one caller wait to run at once (tasks.max-queued-per-owner);"
                            + " retry when some have run", "retry_after_seconds", 5));
        }
        return submitFollowUp(tx, kind, owner, payload, path);
    }

    /**
     * Queues, inside {@code tx}, a task that finishes what {@code tx} has already done (rows of a deleted dataset to
     * remove): not held to the owner's queue limit, which would refuse the deletion itself for work it has in effect done.
     */
    public Task submitFollowUp(Connection tx, String kind, String owner, JsonNode payload, String path) throws SQLException {
        long jobId = Jdbc.query(tx, "SELECT nextval('task_job_ids')", rs -> rs.getLong(1)).get(0);
        String taskId = UUID.randomUUID().toString();
        OffsetDateTime now = now();
        Jdbc.update(tx, "INSERT INTO tasks (job_id, task_id, kind, owner, payload, status, path, created_at, updated_at)"
                + " VALUES (?,?,?,?,?,?,?,?,?)", jobId, taskId, kind, owner, payload.toString(), Status.PENDING.name(), path, now, now);
        wake();
        return new Task(jobId, taskId, kind, owner, payload, Status.PENDING, null, 0, 0, path, now, now, null);
    }

    /** Queues a task in a transaction of its own. */
    public Task submit(String kind, String owner, JsonNode payload, String path) {
        return jdbc.inTransaction(tx -> submit(tx, kind, owner, payload, path));
    }

    public Optional<Task> byTaskId(String taskId) {
        return jdbc.queryOne(SELECT + " WHERE task_id = ?", TaskEngine::task, taskId);
    }

    /** The newest tasks, of every owner (operators). */
    public java.util.List<Task> recent(int limit) {
        return jdbc.query(SELECT + " ORDER BY job_id DESC LIMIT " + Math.max(1, Math.min(limit, 1000)), TaskEngine::task);
    }

    public Optional<Task> byJobId(long jobId) {
        return jdbc.queryOne(SELECT + " WHERE job_id = ?", TaskEngine::task, jobId);
    }

    /** Cancels a task nobody has started; true when it was still pending. */
    public boolean revoke(String taskId) {
        OffsetDateTime now = now();
        return jdbc.update("UPDATE tasks SET status = 'REVOKED', completed_at = ?, updated_at = ? WHERE task_id = ? AND status = 'PENDING'",
                now, now, taskId) == 1;
    }

    /** Starts this server's workers (none when {@code tasks.workers} is 0). */
    public synchronized void start() {
        if (workers == 0 || !threads.isEmpty()) return;
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "omix-task-lease"));
        long every = Math.max(200, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
        for (int i = 0; i < workers; i++) {
            Thread t = daemon(this::work, "omix-task-" + i);
            threads.add(t);
            t.start();
        }
    }

    /** Stops claiming; tasks running now finish (their leases would hand them to another server otherwise). */
    @Override
    public synchronized void close() {
        stopping = true;
        wake();
        for (Thread t : threads) {
            try {
                t.join(drainTime.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        if (heartbeat != null) heartbeat.shutdownNow();
    }

    private void wake() {
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void work() {
        while (!stopping) {
            try {
                Optional<Claimed> claimed = claim();
                if (claimed.isPresent()) {
                    try {
                        execute(claimed.get().task(), claimed.get().claimId());
                    } finally {
                        release(claimed.get().task().owner());
                    }
                    continue;
                }
            } catch (RuntimeException | Error e) {
                // A worker outlives what one task or claim threw, an Error too (a task that ran out of memory has let go of
                // it by now): a worker that ended stopped every owner's tasks on this server until a restart.
                LOG.error("task worker: {}", e.toString(), e);
            }
            synchronized (wakeUp) {
                if (stopping) return;
                try {
                    wakeUp.wait(IDLE_POLL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * The oldest runnable task, claimed for this worker: pending, or started by a server whose lease ran out. Owners
     * with nothing running come first, so that one caller's long queue does not hold everyone else's tasks back, and
     * an owner's tasks take all but one of this server's workers at most ({@link #ownerWorkers}).
     */
    Optional<Claimed> claim() {
        OffsetDateTime now = now();
        // Each claim its own id, not only the server's: if this server's lease ran out (a long pause) and another of its
        // workers claimed the task again, the first run's writes, failure and renewals no longer count as the second's.
        String claimId = workerId + "." + claims.incrementAndGet();
        record Candidate(long jobId, String owner, boolean leaseRanOut) {}
        // Owners whose tasks hold their share of this server's workers are left out here, not after: eight older tasks of
        // one such owner would otherwise fill the candidates and leave a worker idle while another owner's task waited.
        List<String> atShare = ownersAtShare();
        List<Object> args = new ArrayList<>(atShare);
        args.add(now);
        args.add(now);
        String notAtShare = atShare.isEmpty() ? "" : " AND t.owner NOT IN (" + String.join(",", java.util.Collections.nCopies(atShare.size(), "?")) + ")";
        List<Candidate> candidates = jdbc.query("SELECT t.job_id, t.owner, t.status FROM tasks t WHERE (t.status = 'PENDING'" + notAtShare + ")"
                + " OR (t.status = 'STARTED' AND t.lease_until < ?)"
                + " ORDER BY CASE WHEN EXISTS (SELECT 1 FROM tasks s WHERE s.owner = t.owner AND s.status = 'STARTED' AND s.lease_until >= ?)"
                + " THEN 1 ELSE 0 END, t.job_id LIMIT 8", rs -> new Candidate(rs.getLong(1), rs.getString(2), "STARTED".equals(rs.getString(3))),
                args.toArray());
        for (Candidate candidate : candidates) {
            long jobId = candidate.jobId();
            String owner = candidate.owner();
            // The owner took its share meanwhile (another worker): the next owner's task. A run whose lease ran out is taken
            // again all the same (its first run, fenced off, may be what holds the owner's share here).
            if (!reserve(owner, candidate.leaseRanOut())) continue;
            Optional<Claimed> claimed = Optional.empty();
            try {
                int won = jdbc.update("UPDATE tasks SET status = 'STARTED', claimed_by = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?"
                        + " WHERE job_id = ? AND (status = 'PENDING' OR (status = 'STARTED' AND lease_until < ?))",
                        claimId, now.plus(lease), now, jobId, now);
                if (won == 1) claimed = byJobId(jobId).map(t -> new Claimed(t, claimId));
            } finally {
                if (claimed.isEmpty()) release(owner);   // not won, or the claim failed (the database away): the share is given back
            }
            if (claimed.isPresent()) return claimed;   // its worker releases the owner's share when the task is done
        }
        return Optional.empty();
    }

    /** The owners whose tasks hold {@link #ownerWorkers} of this server's workers now. */
    private List<String> ownersAtShare() {
        synchronized (workersByOwner) {
            List<String> owners = new ArrayList<>();
            workersByOwner.forEach((owner, held) -> {
                if (held >= ownerWorkers) owners.add(owner);
            });
            return owners;
        }
    }

    /** Takes one of this server's workers for {@code owner}'s task, unless its tasks hold {@link #ownerWorkers} already (or {@code beyondShare}). */
    private boolean reserve(String owner, boolean beyondShare) {
        synchronized (workersByOwner) {
            int held = workersByOwner.getOrDefault(owner, 0);
            if (held >= ownerWorkers && !beyondShare) return false;
            workersByOwner.put(owner, held + 1);
            return true;
        }
    }

    private void release(String owner) {
        synchronized (workersByOwner) {
            workersByOwner.computeIfPresent(owner, (o, held) -> held == 1 ? null : held - 1);
        }
    }

    /**
     * Whether the task's owner is one this platform makes ({@link TasksCapability#knownOwner}) and is disabled or gone. A
     * database that cannot say lets the task run, to fail on its own as it would have.
     */
    private boolean ownerDisabled(Task task) {
        if (!TasksCapability.knownOwner(task.owner())) return false;
        try {
            return !jdbc.withConnection(c -> TasksCapability.ownerActive(c, task.owner()));
        } catch (RuntimeException e) {
            LOG.warn("task {}: its owner could not be checked: {}", task.taskId(), e.toString());
            return false;
        }
    }

    /** Whether the person the task's owner names (a person's own task, or one through an application) is no longer there. */
    private boolean personErased(Task task) {
        String person = TasksCapability.personOf(task.owner());
        return person != null && jdbc.queryOne("SELECT 1 FROM users WHERE user_id = ?", rs -> 1, person).isEmpty();
    }

    /** Why a task queued by an application, app, API key or person since disabled was not run. */
    static final String OWNER_DISABLED = "not run: the application, app, API key or person that queued it was disabled before it ran;"
            + " queue it again once enabled";

    /** A task this worker claimed, and the id of that claim (what its writes are fenced on). */
    record Claimed(Task task, String claimId) {}

    private void execute(Task task, String claimId) {
        if (ownerDisabled(task)) {
            if (personErased(task)) {
                // Queued by a request authenticated just before the person's erasure, which could not see it: its input
                // names the person (and what they asked about), so it goes instead of being kept as a failure for weeks.
                jdbc.update("DELETE FROM tasks WHERE job_id = ? AND claimed_by = ?", task.jobId(), claimId);
                return;
            }
            // Queued by a credential since disabled (an incident): it would go on deleting or publishing in its name.
            finish(task, claimId, Status.FAILURE, error(OWNER_DISABLED, null));
            return;
        }
        Handler handler = handlers.get(task.kind());
        if (handler == null) {
            finish(task, claimId, Status.FAILURE, error("no handler for task kind " + task.kind(), null));
            return;
        }
        if (task.attempts() > MAX_ATTEMPTS) {
            finish(task, claimId, Status.FAILURE, error("interrupted " + (task.attempts() - 1) + " times; given up", null));
            return;
        }
        running.put(task.jobId(), claimId);
        List<Runnable> onCommit = new java.util.ArrayList<>();
        List<Runnable> onRollback = new java.util.ArrayList<>();
        boolean committed = false;
        try {
            Run run = new Run() {
                @Override
                public Task task() {
                    return task;
                }

                @Override
                public void progress(int percent) {
                    jdbc.update("UPDATE tasks SET progress = ?, updated_at = ? WHERE job_id = ? AND claimed_by = ?",
                            Math.max(0, Math.min(100, percent)), now(), task.jobId(), claimId);
                }

                @Override
                public void then(boolean committed, Runnable work) {
                    (committed ? onCommit : onRollback).add(work);
                }
            };
            boolean done = jdbc.inTransaction(tx -> {
                JsonNode result;
                try {
                    result = handler.run(run, tx);
                } catch (SQLException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                OffsetDateTime now = now();
                int recorded = Jdbc.update(tx, "UPDATE tasks SET status = 'SUCCESS', result = ?, progress = 100, completed_at = ?, updated_at = ?,"
                        + " lease_until = NULL WHERE job_id = ? AND claimed_by = ? AND status = 'STARTED'",
                        String.valueOf(result == null ? JsonNodeFactory.instance.objectNode() : result), now, now, task.jobId(), claimId);
                if (recorded != 1) {
                    // Another server took the task over (our lease ran out): its run counts, ours rolls back.
                    tx.rollback();
                    return false;
                }
                announce(tx, task, Status.SUCCESS, now);
                return true;
            });
            committed = done;
            if (!done) LOG.warn("task {} ({}) was taken over by another server; this run was rolled back", task.taskId(), task.kind());
        } catch (TaskFailure f) {
            finish(task, claimId, Status.FAILURE, error(f.getMessage(), f.details));
        } catch (RuntimeException | Error e) {
            // An Error (out of memory, a stack too deep) counts as an attempt too: a task that always throws one fails for
            // good after its attempts instead of taking a worker each time.
            LOG.warn("task {} ({}) attempt {} failed: {}", task.taskId(), task.kind(), task.attempts(), e.toString());
            if (task.attempts() >= MAX_ATTEMPTS) {
                // The result is shown to the task's owner: a plain reason; what went wrong inside goes to the log.
                LOG.error("task {} ({}) failed for good", task.taskId(), task.kind(), e);
                finish(task, claimId, Status.FAILURE, error("failed after " + task.attempts() + " attempts: an internal error; the operator's log has"
                        + " the details under task " + task.taskId(), null));
            } else {
                // Only a run still ours and unfinished goes back to the queue: a commit that succeeded but
                // reported an error must not make the task run a second time.
                jdbc.update("UPDATE tasks SET status = 'PENDING', claimed_by = NULL, lease_until = NULL, updated_at = ?"
                        + " WHERE job_id = ? AND claimed_by = ? AND status = 'STARTED'", now(), task.jobId(), claimId);
            }
        } finally {
            running.remove(task.jobId(), claimId);
            if (!committed && !(onCommit.isEmpty() && onRollback.isEmpty())) {
                // A commit can succeed and still report an error (a connection lost as it answered): the row says which.
                try {
                    committed = jdbc.queryOne("SELECT 1 FROM tasks WHERE job_id = ? AND claimed_by = ? AND status = 'SUCCESS'", rs -> 1,
                            task.jobId(), claimId).isPresent();
                } catch (RuntimeException unknown) {
                    LOG.warn("task {} ({}): whether its run committed is not known; its work after the transaction is left to housekeeping",
                            task.taskId(), task.kind());
                    onCommit.clear();
                    onRollback.clear();
                }
            }
            for (Runnable work : committed ? onCommit : onRollback) {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("task {} ({}): work after its transaction failed: {}", task.taskId(), task.kind(), e.toString());
                }
            }
        }
    }

    private void finish(Task task, String claimId, Status status, JsonNode result) {
        OffsetDateTime now = now();
        jdbc.inTransaction(tx -> {
            int recorded = Jdbc.update(tx, "UPDATE tasks SET status = ?, result = ?, completed_at = ?, updated_at = ?, lease_until = NULL"
                    + " WHERE job_id = ? AND claimed_by = ? AND status = 'STARTED'", status.name(), result.toString(), now, now, task.jobId(), claimId);
            GivenUp undo = status == Status.FAILURE ? givenUp.get(task.kind()) : null;
            if (recorded == 1 && undo != null) undo.undo(tx, task);
            if (recorded == 1) announce(tx, task, status, now);
            return null;
        });
    }

    /** task.finished for the task's owner (and dataset.job_finished for a dataset key's job), with the outcome. */
    private static void announce(Connection tx, Task task, Status status, OffsetDateTime now) throws SQLException {
        if (task.owner().startsWith("user:")) return; // a person's own task (an export): people have no webhooks
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("task_id", task.taskId());
        data.put("job_id", task.jobId());
        data.put("kind", task.kind());
        data.put("status", status.name());
        io.omix.server.webhooks.WebhookEvents.publish(tx, now, TasksCapability.announcedTo(task.owner()), io.omix.server.webhooks.WebhookEvents.TASK_FINISHED, data);
        if (task.owner().startsWith("dsk:")) {
            io.omix.server.webhooks.WebhookEvents.publish(tx, now, task.owner(), io.omix.server.webhooks.WebhookEvents.DATASET_JOB_FINISHED,
                    java.util.Map.of("job_id", task.jobId(), "operation", task.kind(), "status", status == Status.SUCCESS ? "success" : "failure"));
        }
    }

    private static JsonNode error(String message, JsonNode details) {
        var node = JsonNodeFactory.instance.objectNode().put("error", message);
        if (details != null) node.set("details", details);
        return node;
    }

    private void renewLeases() {
        try {
            OffsetDateTime now = now();
            for (Map.Entry<Long, String> run : running.entrySet()) {
                jdbc.update("UPDATE tasks SET lease_until = ? WHERE job_id = ? AND claimed_by = ? AND status = 'STARTED'",
                        now.plus(lease), run.getKey(), run.getValue());
            }
        } catch (RuntimeException e) {
            LOG.warn("renewing task leases: {}", e.toString());
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static final String SELECT = "SELECT job_id, task_id, kind, owner, payload, status, result, progress, attempts, path,"
            + " created_at, updated_at, completed_at FROM tasks";

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), json(rs.getString(5)),
                Status.valueOf(rs.getString(6)), json(rs.getString(7)), rs.getInt(8), rs.getInt(9), rs.getString(10),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class));
    }

    private static JsonNode json(String text) {
        if (text == null) return null;
        try {
            return ServerJson.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }
}
