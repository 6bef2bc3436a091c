package io.omix.server.models;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs model invocations, each in a {@link Sandbox} of its own that is destroyed after it: the
 * limits (CPU time, memory, wall clock, processes, 1 MiB of result, 4 MiB of log) and the answers
 * of every failure (41211-41214) are here.
 *
 * <p>Published versions keep a few boxes started ahead ({@code models.pool-size} each): the box is
 * built, the runtime started and the handler's code loaded before an invocation arrives, which then
 * only hands over its event. A pooled box still serves exactly one invocation; one that no invocation
 * took within {@link #READY_MILLIS} is replaced by a fresh one (the model's code has run in it since its
 * start, with no invocation's clock on it), and boxes of versions not invoked for {@link #IDLE_MILLIS}
 * are destroyed.
 *
 * <p>Every box is started in a control group of its own ({@link BoxGroups}): where the server cannot make
 * them, no box is started and invocations answer 41217, as where the sandbox itself cannot be built.
 */
final class ModelRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRunner.class);
    static final int MAX_RESULT_BYTES = 1 << 20;
    static final int MAX_LOG_BYTES = 4 << 20;
    static final long IDLE_MILLIS = 5 * 60_000;
    /** How long a box started ahead waits for an invocation before a fresh one takes its place. */
    static final long READY_MILLIS = 60_000;
    static final long REFILL_DELAY_MILLIS = 20;
    private static final int KEPT_LOG_CHARS = 4000;
    /** The runtimes a model may name. */
    static final Set<String> RUNTIMES = Set.of("python3", "java");

    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "omix-model-output");
        t.setDaemon(true);
        return t;
    });

    record Limits(int memoryMb, int timeoutSeconds) {}

    /** What a box runs: one version of one model, with its limits. */
    record Spec(String modelId, int version, String runtime, Path codeDir, String handler, Limits limits) {}

    private final Sandbox sandbox;
    /** The memory (MiB) the boxes that exist may still take ({@link #defaultBudgetMb}). */
    private final java.util.concurrent.Semaphore budget;
    private final int budgetMb;
    /** How long an invocation waits for memory before it is answered 503 (the boxes of others are busy). */
    static final long BUDGET_WAIT_MILLIS = 2000;
    /**
     * The part of the budget (percent) one caller's invocations running at once may hold, so that one application or
     * person invoking a large model many times at once leaves room for everyone else; a caller may always run one box.
     */
    static final int CALLER_SHARE_PERCENT = 50;
    /** The memory (MiB) each caller's running invocations hold, by caller (absent: none). */
    private final Map<String, Integer> heldByCaller = new ConcurrentHashMap<>();
    /** Each box's control group, where the host lets the server make them (else no box is started: {@link #unavailable()}). */
    private final java.util.Optional<BoxGroups> groups;
    private final int poolSize;
    /** How long a box started ahead waits for an invocation ({@link #READY_MILLIS}; shorter in tests). */
    private final long readyMillis;
    private final Map<Spec, Deque<Box>> pool = new ConcurrentHashMap<>();
    private final Map<Spec, Long> lastUse = new ConcurrentHashMap<>();
    private final Map<Spec, AtomicInteger> starting = new ConcurrentHashMap<>();
    /**
     * Versions whose box started ahead used the CPU as if its code ran on while it waited (an import that spins): their boxes
     * are started when an invocation comes, on its clock and its caller's share, never ahead again (a new version is a new
     * spec). Without it, such a model kept a core busy per box for as long as it was being used, charged to no one.
     */
    private final java.util.Set<Spec> notAhead = ConcurrentHashMap.newKeySet();
    /** How often a box started ahead is looked at for the CPU it uses while it waits ({@link #lookWhileWaiting}). */
    static final long WAITING_CHECK_MILLIS = 10_000;
    private final ScheduledExecutorService refills;
    private volatile boolean closed;

    ModelRunner(Sandbox sandbox, int poolSize) {
        this(sandbox, poolSize, defaultBudgetMb());
    }

    /**
     * The memory all of this server's boxes may have together, in MiB: half of the machine's. Each box takes its limit
     * (its model's memory and what its runtime needs beside it) from it while it exists, started ahead or running: many
     * models, or many invocations at once, cannot add up to more than the machine has.
     */
    static long defaultBudgetMb() {
        long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return Math.max(1024, total / 2 / (1024 * 1024));
    }

    ModelRunner(Sandbox sandbox, int poolSize, long budgetMb) {
        this(sandbox, poolSize, budgetMb, sandbox.unavailable().isPresent() ? java.util.Optional.<BoxGroups>empty() : BoxGroups.detect(), READY_MILLIS);
    }

    /**
     * With the boxes' control groups given ({@link BoxGroups#detect()}; empty: none here, and every box is refused) and how
     * long a box started ahead waits for an invocation.
     */
    ModelRunner(Sandbox sandbox, int poolSize, long budgetMb, java.util.Optional<BoxGroups> groups, long readyMillis) {
        this.budgetMb = (int) Math.min(Integer.MAX_VALUE, budgetMb);
        this.budget = new java.util.concurrent.Semaphore(this.budgetMb);
        this.sandbox = sandbox;
        this.groups = groups;
        this.readyMillis = readyMillis;
        this.poolSize = poolSize;
        this.refills = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "omix-model-pool");
            t.setDaemon(true);
            return t;
        });
        refills.scheduleWithFixedDelay(this::expireIdle, 30, 30, TimeUnit.SECONDS);
    }

    /**
     * Why no box can be started here, if so: no control group for boxes' memory and processes (the server's log; invocations
     * answer 41217). A box never runs with per-process limits only.
     */
    java.util.Optional<String> unavailable() {
        return groups.isPresent() ? java.util.Optional.empty() : java.util.Optional.of(BoxGroups.UNAVAILABLE);
    }

    /** The answer to an invocation no box can be made for here; the reason goes to the server's log. */
    static ApiException sandboxUnavailable(String why) {
        LOG.warn("model invocation refused: {}", why);
        return new ApiException(ErrorCode.MODEL_SANDBOX_UNAVAILABLE, Map.of("reason", "this server cannot run models safely; its operator has the details in the log"));
    }

    /**
     * Runs one invocation of {@code spec} for {@code caller} (who is invoking: the owner of its token): in a box started
     * ahead when {@code pooled} and one is ready, else in one started now. The model's answer (a JSON object's text), or
     * the API error of its failure; 429 when the caller's invocations running already hold its share of the memory.
     */
    String run(Spec spec, boolean pooled, String event, String requestId, String caller) {
        int footprint = footprintMb(spec);
        if (!claimShare(caller, footprint)) {
            throw new ApiException(ErrorCode.HTTP_TOO_MANY_REQUESTS, Map.of("retry_after_seconds", 1, "reason", "your model invocations running now hold "
                    + CALLER_SHARE_PERCENT + "% of this server's memory for models: retry when one of them has answered"));
        }
        try {
            return runHolding(spec, pooled, event, requestId);
        } finally {
            heldByCaller.computeIfPresent(caller, (k, held) -> held - footprint <= 0 ? null : held - footprint);
        }
    }

    /** Adds {@code mb} to what {@code caller} holds, unless that would go beyond its share (its first box always fits). */
    private boolean claimShare(String caller, int mb) {
        long share = (long) budgetMb * CALLER_SHARE_PERCENT / 100;
        boolean[] claimed = {false};
        heldByCaller.compute(caller, (k, held) -> {
            int now = held == null ? 0 : held;
            if (now > 0 && now + mb > share) return held;
            claimed[0] = true;
            return now + mb;
        });
        return claimed[0];
    }

    private String runHolding(Spec spec, boolean pooled, String event, String requestId) {
        Box box = null;
        if (pooled && poolSize > 0) {
            lastUse.put(spec, System.currentTimeMillis());
            Deque<Box> ready = pool.get(spec);
            while (ready != null && box == null) {
                Box b = ready.pollFirst();
                if (b == null) break;
                if (b.process.isAlive()) box = b;
                else b.destroy();
            }
        }
        if (box == null) box = start(spec, true);
        try {
            return box.run(event, requestId);
        } finally {
            // Boxes are replaced once the invocation's answer is on its way, so that starting one
            // (tens of milliseconds of CPU) does not compete with it.
            if (pooled && poolSize > 0) refill(spec, REFILL_DELAY_MILLIS);
        }
    }

    /** How many boxes started ahead for {@code spec} are ready (for tests). */
    int ready(Spec spec) {
        Deque<Box> ready = pool.get(spec);
        return ready == null ? 0 : ready.size();
    }

    /** The process ids of the boxes started ahead for {@code spec} and ready (for tests). */
    List<Long> readyPids(Spec spec) {
        Deque<Box> ready = pool.get(spec);
        return ready == null ? List.of() : ready.stream().map(b -> b.process.pid()).toList();
    }

    /** Starts boxes for a version that has just become the one invocations run (publish, rollback). */
    void prewarm(Spec spec) {
        if (poolSize <= 0 || closed) return;
        // A version becoming stable again (a rollback to the version that is stable already) is no use of it: its boxes
        // are not kept longer for it, so that rolling back in a loop keeps no boxes started ahead beyond the idle time.
        lastUse.putIfAbsent(spec, System.currentTimeMillis());
        refill(spec);
    }

    /** Destroys the boxes of a model's versions other than {@code keep} (a new stable version took over). */
    void retire(String modelId, Spec keep) {
        for (Spec s : List.copyOf(pool.keySet())) {
            if (s.modelId().equals(modelId) && !s.equals(keep)) drain(s);
        }
    }

    private void refill(Spec spec) {
        refill(spec, 0);
    }

    /** Starts the boxes {@code spec} lacks, after {@code delayMillis}. */
    private void refill(Spec spec, long delayMillis) {
        if (closed || notAhead.contains(spec)) return;
        AtomicInteger inFlight = starting.computeIfAbsent(spec, s -> new AtomicInteger());
        Deque<Box> ready = pool.computeIfAbsent(spec, s -> new ConcurrentLinkedDeque<>());
        int missing = poolSize - ready.size() - inFlight.get();
        for (int i = 0; i < missing; i++) {
            inFlight.incrementAndGet();
            refills.schedule(() -> {
                try {
                    if (closed) return;
                    Box b = start(spec, false);
                    if (b == null) return;   // no memory to spare now: the box is started when an invocation needs it
                    ready.addLast(b);
                    // Retired, expired or stopped while this box started: nobody would ever take or destroy it.
                    if (closed || pool.get(spec) != ready) {
                        ready.remove(b);
                        b.destroy();
                        return;
                    }
                    refills.schedule(() -> replaceUnused(spec, ready, b), readyMillis, TimeUnit.MILLISECONDS);
                    refills.schedule(() -> lookWhileWaiting(spec, ready, b, b.startedNanos, 0), waitingCheckMillis(), TimeUnit.MILLISECONDS);
                } catch (RuntimeException e) {
                    LOG.warn("could not start a sandbox ahead for model {} version {}: {}", spec.modelId(), spec.version(), e.getMessage());
                } finally {
                    inFlight.decrementAndGet();
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A box started ahead that no invocation took within {@link #readyMillis}: destroyed, and a fresh one started in its
     * place once its memory is back. The model's code has run in it since it started (the handler's module is loaded
     * ahead), with no invocation's clock on it: it lives that long at most.
     */
    private void replaceUnused(Spec spec, Deque<Box> ready, Box b) {
        if (!ready.remove(b)) return;   // taken by an invocation, given way or drained meanwhile
        b.destroy();
        b.process.onExit().thenRun(() -> {
            if (!closed && pool.get(spec) == ready) refill(spec, REFILL_DELAY_MILLIS);
        });
    }

    /**
     * A box started ahead that used more than half a core since the last look ({@link #WAITING_CHECK_MILLIS} apart, from its
     * start until an invocation takes it or it is replaced), still waiting for its invocation: its model's code runs on
     * instead of waiting (a loop at import, or one that begins later). Destroyed, and its version's boxes are no longer started
     * ahead ({@link #notAhead}). Looked at once only, a model that slept through the first look then spun kept a core until
     * its box was replaced.
     */
    private void lookWhileWaiting(Spec spec, Deque<Box> ready, Box b, long sinceNanos, long cpuSinceNanos) {
        if (!ready.contains(b)) return;   // taken, replaced, given way or drained: no more looks
        long now = System.nanoTime();
        long used = b.cpuNanos();
        if ((used - cpuSinceNanos) * 2 > now - sinceNanos) {
            if (!ready.remove(b)) return;   // taken by an invocation meanwhile: its clock is on it now
            notAhead.add(spec);
            b.destroy();
            LOG.warn("model {} version {}: its box started ahead used the CPU while it waited (its code runs on as it loads); its boxes start"
                    + " with their invocations from now on", spec.modelId(), spec.version());
            return;
        }
        try {
            refills.schedule(() -> lookWhileWaiting(spec, ready, b, now, used), waitingCheckMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the server is stopping: its boxes go with it
        }
    }

    /** How far apart a box started ahead is looked at for the CPU it uses while it waits (shorter in tests, with its wait). */
    private long waitingCheckMillis() {
        return Math.min(WAITING_CHECK_MILLIS, readyMillis / 4);
    }

    /**
     * The CPU time a box's processes have used, without the group's accounting: the launcher's and everything it started
     * that is still there (a process gone takes its count with it).
     */
    static long cpuMillis(Process process) {
        ProcessHandle root = process.toHandle();
        long total = root.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
        for (ProcessHandle p : (Iterable<ProcessHandle>) root.descendants()::iterator) {
            total += p.info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
        }
        return total;
    }

    private void drain(Spec spec) {
        Deque<Box> boxes = pool.remove(spec);
        lastUse.remove(spec);
        if (boxes == null) return;
        for (Box b; (b = boxes.pollFirst()) != null; ) b.destroy();
    }

    private void expireIdle() {
        long now = System.currentTimeMillis();
        for (Spec s : List.copyOf(pool.keySet())) {
            Long used = lastUse.get(s);
            if (used == null || now - used > IDLE_MILLIS) drain(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        refills.shutdownNow();
        for (Spec s : List.copyOf(pool.keySet())) drain(s);
        groups.ifPresent(BoxGroups::close);
    }

    /**
     * The memory a box of {@code spec} may have, in bytes: its model's memory, what its runtime needs beside it (a JVM's
     * own reservations), and its two tmpfs. Its control group's limit, and what it takes from the budget.
     */
    private static long boxMemoryBytes(Spec spec) {
        return ((long) spec.limits().memoryMb() + (spec.runtime().equals("java") ? 512 : 64)) * 1024 * 1024 + Sandbox.TMP_BYTES + Sandbox.SHM_BYTES;
    }

    /** The memory (MiB) a box of {@code spec} takes from the budget. */
    private int footprintMb(Spec spec) {
        return (int) Math.min(budgetMb, boxMemoryBytes(spec) / (1024 * 1024));
    }

    /**
     * Starts a box of {@code spec} once it has its memory from the budget: for an invocation ({@code waiting}) after up
     * to {@link #BUDGET_WAIT_MILLIS}, else 503; started ahead, only when there is memory to spare now (else null).
     */
    private Box start(Spec spec, boolean waiting) {
        if (groups.isEmpty()) throw sandboxUnavailable(BoxGroups.UNAVAILABLE);
        int footprint = footprintMb(spec);
        boolean got;
        try {
            if (!waiting) {
                // Never ahead of an invocation waiting for memory (which boxes started ahead are giving way to).
                got = !budget.hasQueuedThreads() && budget.tryAcquire(footprint);
            } else {
                got = budget.tryAcquire(footprint);
                if (!got) {
                    giveWay(footprint, spec);
                    got = budget.tryAcquire(footprint, BUDGET_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            if (!waiting) return null;
            throw new ApiException(ErrorCode.HTTP_UNAVAILABLE, Map.of("reason", "this server's model sandboxes are all in use; retry in a moment"));
        }
        return startHolding(spec, () -> budget.release(footprint));
    }

    /**
     * Destroys boxes started ahead, those of the versions invoked least recently first, until {@code footprint} MiB are
     * free for an invocation of {@code spec}: a box waiting for an invocation that may never come does not turn away one
     * that has. None goes when all of them together would not make up the lack (the invocation then waits for running
     * boxes). Their memory returns to the budget as their processes end, which this waits a moment for.
     */
    private synchronized void giveWay(int footprint, Spec spec) {
        // One invocation at a time, each seeing the memory the boxes destroyed for the one before gave back.
        int lacking = footprint - budget.availablePermits();
        if (lacking <= 0) return;
        Map<Spec, Long> used = new java.util.HashMap<>();
        for (Spec s : pool.keySet()) used.put(s, lastUse.getOrDefault(s, 0L));   // a snapshot: the sort must not see them change
        List<Spec> idlest = new ArrayList<>(used.keySet());
        idlest.remove(spec);
        idlest.sort(java.util.Comparator.comparingLong(used::get));
        if (used.containsKey(spec)) idlest.add(spec);   // its own boxes last: they serve the version's next invocations
        long startedAhead = 0;
        for (Spec s : idlest) {
            Deque<Box> ready = pool.get(s);
            if (ready != null) startedAhead += (long) ready.size() * footprintMb(s);
        }
        if (startedAhead < lacking) return;   // not enough even with all of them: they stay, and the invocation waits for running boxes
        int freed = 0;
        List<Box> destroyed = new ArrayList<>();
        for (Spec s : idlest) {
            Deque<Box> ready = pool.get(s);
            for (Box b; freed < lacking && ready != null && (b = ready.pollFirst()) != null; ) {
                b.destroy();
                destroyed.add(b);
                freed += footprintMb(s);
                LOG.info("a box started ahead for model {} version {} gave way to an invocation waiting for memory", s.modelId(), s.version());
            }
        }
        for (Box b : destroyed) {
            try {
                b.process.onExit().get(1, TimeUnit.SECONDS);   // its memory is back in the budget once its process is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // still going: the invocation's wait for memory covers the rest
            }
        }
    }

    /**
     * Starts a box of {@code spec}; {@code whenGone} runs once, when its process has ended, or at once when it was never
     * started (the memory it was given back to the budget: not while a process killed here may still hold it).
     */
    private Box startHolding(Spec spec, Runnable whenGone) {
        Sandbox.UidLease uid;
        try {
            uid = sandbox.lease();
        } catch (RuntimeException | Error e) {
            whenGone.run();
            throw e;
        }
        BoxGroups.Group group = null;
        Process process = null;
        boolean handedOver = false;
        try {
            boolean java = spec.runtime().equals("java");
            Limits limits = spec.limits();
            List<String> program = new ArrayList<>();
            if (java) {
                program.addAll(List.of(sandbox.java(), "-Xmx" + limits.memoryMb() + "m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m",
                        "-XX:-UsePerfData", "-XX:+DisableAttachMechanism", "-Xshare:auto", "-Djava.io.tmpdir=/tmp",
                        // Small reservations, so that the box's address-space limit (Sandbox) bounds native memory too.
                        "-XX:CompressedClassSpaceSize=64m", "-XX:ReservedCodeCacheSize=32m", "-XX:MaxMetaspaceSize=128m", "-XX:MaxDirectMemorySize=64m"));
                if (sandbox.javaHasForeignFunctions()) program.add("--enable-native-access=ALL-UNNAMED");
                program.addAll(List.of("-cp", "/runner", JavaModelRunner.class.getName(), "/code", spec.handler()));
            } else {
                program.addAll(List.of(sandbox.python(), "-I", "-S", "/runner/runner.py", "/code", spec.handler()));
            }
            // Its group first: a box whose memory and processes cannot be bounded together is not started.
            if (groups.isEmpty()) throw sandboxUnavailable(BoxGroups.UNAVAILABLE);
            try {
                group = groups.get().create(boxMemoryBytes(spec), Sandbox.processesFor(spec.runtime()));
            } catch (IOException | RuntimeException e) {
                // The server makes groups (it did at start): this one failed now (the host busy, out of memory or processes).
                // Not started, and answered as a moment's shortage, which a retry may find over.
                LOG.warn("model box not started: its control group could not be made: {}", e.toString());
                throw new ApiException(ErrorCode.HTTP_UNAVAILABLE, Map.of("reason", "this server could not make a model box just now; retry in a moment"));
            }
            ProcessBuilder pb = new ProcessBuilder(sandbox.command(uid.uid(), spec.runtime(), spec.codeDir(), limits.memoryMb(), limits.timeoutSeconds(), program,
                    group.procsFiles()));
            Map<String, String> env = pb.environment();
            env.clear(); // nothing of the server's environment: no secrets, no database URL
            env.put("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
            env.put("LANG", "C.UTF-8");
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a model sandbox: " + e.getMessage(), e);
            }
            // From here the box's end gives its uid, group and memory back, whatever happens next.
            BoxGroups.Group started = group;
            Sandbox.UidLease leased = uid;
            process.onExit().whenComplete((p, e) -> {
                try {
                    leased.close();
                    removeWhenEmpty(started, 0);
                } finally {
                    whenGone.run();
                }
            });
            handedOver = true;
            try {
                return new Box(process, limits, started);
            } catch (RuntimeException | Error e) {
                process.destroyForcibly();   // started, but its box could not be made (its readers): its exit gives all back
                throw e;
            }
        } finally {
            if (!handedOver) {
                // Not started: nothing else would ever give them back (a uid kept for the process's life is one of 65,536 gone).
                if (process != null) process.destroyForcibly();
                uid.close();
                if (group != null) group.remove();
                whenGone.run();
            }
        }
    }

    /** Removes a box's group once the kernel has let its last processes go (a second or so after the box's own exit). */
    private void removeWhenEmpty(BoxGroups.Group group, int attempt) {
        group.remove();
        if (attempt < 10 && group.procsFiles().stream().anyMatch(java.nio.file.Files::exists) && !refills.isShutdown()) {
            try {
                refills.schedule(() -> removeWhenEmpty(group, attempt + 1), 500, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the server is stopping
            }
        }
    }

    /** The answer a runner writes: its status and, for {@code '0'}, the result. */
    private record Frame(char status, byte[] body, boolean overflow) {
        static final Frame NONE = new Frame('-', new byte[0], false);
    }

    /** One started box, used for exactly one invocation. */
    private static final class Box {
        final Process process;
        final Limits limits;
        final BoxGroups.Group group;
        final CompletableFuture<Frame> frame;
        final CompletableFuture<Capped> log;

        final long startedNanos = System.nanoTime();

        /** The CPU time this box has used, its processes gone included where its group counts it (else those still there). */
        long cpuNanos() {
            if (group != null) {
                java.util.OptionalLong counted = group.cpuNanos();
                if (counted.isPresent()) return counted.getAsLong();
            }
            return TimeUnit.MILLISECONDS.toNanos(cpuMillis(process));
        }

        Box(Process process, Limits limits, BoxGroups.Group group) {
            this.process = process;
            this.limits = limits;
            this.group = group;
            this.frame = CompletableFuture.supplyAsync(() -> readFrame(process.getInputStream()), READERS);
            this.log = CompletableFuture.supplyAsync(() -> Capped.read(process.getErrorStream(), MAX_LOG_BYTES), READERS);
        }

        String run(String event, String requestId) {
            try {
                return answer(event, requestId);
            } finally {
                // The runner exits by itself once it has answered: the kill that makes sure need not delay the answer.
                if (process.isAlive()) READERS.execute(this::destroy);
            }
        }

        private String answer(String event, String requestId) {
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(limits.timeoutSeconds());
            // The event is handed over on a thread of its own, its deadline already running: a box that never reads its input
            // (one that shrank its pipe, or sleeps) held this thread in the write before, with no deadline and no kill, for good.
            // The box's end (its timeout below, then run's destroy) breaks the pipe and ends the write.
            READERS.execute(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    in.write((requestId + "\n").getBytes(StandardCharsets.UTF_8));
                    in.write(event.getBytes(StandardCharsets.UTF_8));
                } catch (IOException modelClosedItsInput) {
                    // the model does not read its event (or is gone): its frame or exit tells
                }
            });
            Frame f = null;
            try {
                // Until the answer arrives, the time is up, or the log floods (which ends the run at once).
                while (f == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new ApiException(ErrorCode.MODEL_TIMEOUT, Map.of("timeout", limits.timeoutSeconds()));
                    if (log.isDone() && log.join().overflow) throw tooLarge(false);
                    try {
                        f = frame.get(Math.min(TimeUnit.MILLISECONDS.toNanos(50), left), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException notYet) {
                        // look again
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a model ran");
            } catch (ExecutionException e) {
                throw new IllegalStateException("reading a model's answer failed", e.getCause());
            }
            if (f.overflow) throw tooLarge(true);
            if (f.status == '0') return new String(f.body, StandardCharsets.UTF_8);
            if (f.status == 'M') throw memory();
            // A failure: its log tells why, complete once the box is gone.
            destroyAfter(2000);
            Capped captured = logAfter(2000);
            if (captured.overflow) throw tooLarge(false);
            String tail = captured.tail();   // once: the launcher's lines in it are logged as it is made
            if (f.status == 'E' || f.status == 'H') throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("stderr", tail));
            if (tail.contains("java.lang.OutOfMemoryError") || group != null && group.memoryExceeded()) throw memory();
            // No answer: a death by signal (the CPU-time limit when the run lasted about its timeout, a crash otherwise).
            long ranMillis = (System.nanoTime() - started) / 1_000_000;
            if (ranMillis >= limits.timeoutSeconds() * 1000L - 500) throw new ApiException(ErrorCode.MODEL_TIMEOUT, Map.of("timeout", limits.timeoutSeconds()));
            int exit = process.isAlive() ? -1 : process.exitValue();
            throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("exit_code", exit, "stderr", tail.isEmpty() ? "killed by a signal" : tail));
        }

        private ApiException memory() {
            return new ApiException(ErrorCode.MODEL_MEMORY_EXCEEDED, Map.of("memory_size", limits.memoryMb()));
        }

        private static ApiException tooLarge(boolean result) {
            return new ApiException(ErrorCode.MODEL_OUTPUT_TOO_LARGE, Map.of("limit", result ? "1 MiB of result" : "4 MiB of log output"));
        }

        private void destroyAfter(long millis) {
            try {
                process.waitFor(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            destroy();
        }

        private Capped logAfter(long millis) {
            try {
                return log.get(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Capped(new byte[0], false);
            } catch (ExecutionException | TimeoutException e) {
                return new Capped(new byte[0], false);
            }
        }

        /**
         * Kills the box: its bubblewrap process, whose death kills the box's first process
         * ({@code --die-with-parent}), whose death ends its PID namespace and everything the model started.
         */
        void destroy() {
            if (process.isAlive()) process.destroyForcibly();
        }
    }

    private static Frame readFrame(InputStream in) {
        try (in) {
            int status = in.read();
            if (status < 0) return Frame.NONE;
            byte[] digits = in.readNBytes(10);
            if (digits.length < 10) return new Frame('?', new byte[0], false);
            String written = new String(digits, StandardCharsets.US_ASCII);
            // Ten decimal digits and nothing else (a sign would pass parseLong: a negative length made a 500).
            if (!written.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return new Frame('?', new byte[0], false);
            long length = Long.parseLong(written);
            if (length > MAX_RESULT_BYTES) return new Frame((char) status, new byte[0], true);
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) return new Frame('?', new byte[0], false);
            return new Frame((char) status, body, false);
        } catch (IOException closed) {
            return Frame.NONE;
        }
    }

    /** An output stream read to its end, keeping at most {@code limit} bytes; {@code overflow} when there was more. */
    private record Capped(byte[] bytes, boolean overflow) {
        static Capped read(InputStream in, int limit) {
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            try (in) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    total += n;
                    if (total > limit) return new Capped(kept.toByteArray(), true);
                    kept.write(buffer, 0, n);
                }
            } catch (IOException closed) {
                // the process was killed
            }
            return new Capped(kept.toByteArray(), false);
        }

        String tail() {
            String t = ownersView(new String(bytes, StandardCharsets.UTF_8));
            return t.length() <= KEPT_LOG_CHARS ? t : t.substring(t.length() - KEPT_LOG_CHARS);
        }
    }

    /** The launcher's own lines: bubblewrap's, the box's first shell's (named omix-sandbox) and prlimit's. */
    private static final java.util.regex.Pattern LAUNCHER_LINE = java.util.regex.Pattern.compile("(?m)^(?:bwrap|omix-sandbox|prlimit): .*(?:\\R|\\z)");
    /** The line a runner writes first ({@link JavaModelRunner#STARTED}): whatever follows it is the model's. */
    private static final java.util.regex.Pattern RUNNER_STARTED =
            java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(JavaModelRunner.STARTED) + "(?:\\R|\\z)");
    /** At most this many of a box's launcher lines go to the server's log, each cut to {@link #LOGGED_LINE_CHARS}. */
    static final int LOGGED_LAUNCHER_LINES = 3;
    static final int LOGGED_LINE_CHARS = 200;

    /**
     * A box's log as its model's owner sees it: without the launcher's own lines, which name the host's paths (the code's
     * directory, the control groups); those go to the server's log. Only what comes before the runner's first line
     * ({@link JavaModelRunner#STARTED}) can be the launcher's: what follows is the model's own, kept whatever it looks
     * like. Where the runner wrote no such line (it never started, or it does not write one) the whole log is looked at,
     * and a model can write lines that look like the launcher's: so at most {@link #LOGGED_LAUNCHER_LINES} are logged, each
     * cut short and with control characters replaced.
     */
    static String ownersView(String log) {
        String launch = log;
        String model = "";
        java.util.regex.Matcher started = RUNNER_STARTED.matcher(log);
        if (started.find()) {
            launch = log.substring(0, started.start());
            model = log.substring(started.end());
        }
        java.util.regex.Matcher m = LAUNCHER_LINE.matcher(launch);
        StringBuilder kept = new StringBuilder(log.length());
        int from = 0;
        int found = 0;
        while (m.find()) {
            if (found < LOGGED_LAUNCHER_LINES) LOG.warn("model box launcher: {}", printable(m.group().strip()));
            found++;
            kept.append(launch, from, m.start());
            from = m.end();
        }
        if (found > LOGGED_LAUNCHER_LINES) LOG.warn("model box launcher: {} more lines not logged", found - LOGGED_LAUNCHER_LINES);
        return kept.append(launch, from, launch.length()).append(model).toString();
    }

    /**
     * A line of a box's output as the server's log may show it: at most {@link #LOGGED_LINE_CHARS} characters, control
     * and format characters (escape sequences, bidirectional overrides, line breaks) each replaced with '?'.
     */
    static String printable(String line) {
        StringBuilder out = new StringBuilder();
        int count = 0;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            i += Character.charCount(cp);
            if (count++ == LOGGED_LINE_CHARS) {
                out.append("...");
                break;
            }
            int type = Character.getType(cp);
            boolean hidden = Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
            if (hidden) out.append('?');
            else out.appendCodePoint(cp);
        }
        return out.toString();
    }
}
