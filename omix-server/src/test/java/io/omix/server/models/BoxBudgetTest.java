package io.omix.server.models;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boxes of one server share a memory budget: each takes its limit from it while it exists, so many models, or
 * many invocations at once, cannot add up to more than the machine has. An invocation that finds none left waits a
 * moment, then is answered 503; the memory comes back when a box is gone. No caller holds more than its share of it,
 * and boxes started ahead give way to invocations. A box started ahead that no invocation took is replaced after a while.
 */
class BoxBudgetTest {
    /** A sandbox for tests, and a python model that sleeps for the event's {@code seconds}; skipped where no box can be built. */
    private static Sandbox sandbox(Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Sandbox sandbox = Sandbox.prepare(tmp.resolve(".runtime"), tmp.resolve(".channel").resolve("api.sock"), "/usr/bin/python3");
        Assumptions.assumeTrue(sandbox.selfTest().isEmpty(), "no model sandbox on this host: " + sandbox.selfTest().orElse(""));
        Files.createDirectories(tmp.resolve("m"));
        Files.setPosixFilePermissions(tmp.resolve("m"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return sandbox;
    }

    /** Skips where the server cannot make boxes' control groups: no box is started there (BoxGroupsTest). */
    private static void assumeGroups(ModelRunner runner) {
        Assumptions.assumeTrue(runner.unavailable().isEmpty(), "no control groups for model boxes on this host");
    }

    private static ModelRunner.Spec sleeper(Path tmp, int version) throws Exception {
        Path code = Files.createDirectories(tmp.resolve("m").resolve(String.valueOf(version)));
        Files.setPosixFilePermissions(code, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path index = Files.writeString(code.resolve("index.py"), "import json, time\ndef handler(event, context):\n"
                + "    time.sleep(json.loads(event)['seconds'])\n    return {'model_code': 0, 'model_msg': 'ok', 'model_data': {}}\n");
        Files.setPosixFilePermissions(index, PosixFilePermissions.fromString("rw-r--r--"));
        return new ModelRunner.Spec("m", version, "python3", code, "index.handler", new ModelRunner.Limits(128, 30));
    }

    /**
     * A box whose start fails on a fault nobody foresaw (here: its code's directory missing from its spec when its command
     * line is made, after its uid and group were taken) gives its uid back: before, it was kept for the process's life.
     */
    @Test
    void aBoxThatFailsToStartGivesItsUidBack(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec broken = new ModelRunner.Spec("m", 9, "python3", null, "index.handler", new ModelRunner.Limits(128, 30));
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 300)) {
            assumeGroups(runner);
            int held = Sandbox.leasedHere();
            for (int i = 0; i < 3; i++) {
                assertThrows(RuntimeException.class, () -> runner.run(broken, false, "{}", "r-" + System.nanoTime(), "app-a"));
            }
            assertEquals(held, Sandbox.leasedHere(), "no uid kept by boxes that never started");
            // The memory they were given is back too: with room for one box only, a box starts and answers.
            assertTrue(runner.run(sleeper(tmp, 1), false, "{\"seconds\": 0}", "r-ok", "app-a").contains("ok"));
        }
    }

    @Test
    void anInvocationBeyondTheServersModelMemoryIsAnswered503UntilABoxIsGone(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec spec = sleeper(tmp, 1);
        // Room for one box of 128 MiB (with its runtime and tmpfs, 272 MiB), not two.
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 300)) {
            assumeGroups(runner);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> runner.run(spec, false, "{\"seconds\": 4}", "r-1", "app-a"));
            Thread.sleep(800);
            ApiException busy = assertThrows(ApiException.class, () -> runner.run(spec, false, "{\"seconds\": 0}", "r-2", "app-b"));
            assertEquals(ErrorCode.HTTP_UNAVAILABLE, busy.error(), "no memory left for a second box");
            assertTrue(first.get(60, TimeUnit.SECONDS).contains("\"ok\""));
            assertTrue(runner.run(spec, false, "{\"seconds\": 0}", "r-3", "app-b").contains("\"ok\""), "the first box gone, its memory serves the next");
        }
    }

    /**
     * One caller's invocations running at once hold at most half of the budget (its first always runs): an application
     * invoking a large model many times at once gets 429 beyond it, and leaves the rest to others. Before, it could take
     * all of the memory, and every other caller got 503.
     */
    @Test
    void oneCallersInvocationsHoldAtMostHalfOfTheMemory(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec spec = sleeper(tmp, 1);
        // Room for three boxes of 272 MiB; one caller's share (450 MiB) holds one.
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 900)) {
            assumeGroups(runner);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> runner.run(spec, false, "{\"seconds\": 4}", "r-1", "app-a"));
            Thread.sleep(800);
            ApiException more = assertThrows(ApiException.class, () -> runner.run(spec, false, "{\"seconds\": 0}", "r-2", "app-a"));
            assertEquals(ErrorCode.HTTP_TOO_MANY_REQUESTS, more.error(), "a second box would take app-a beyond its share");
            assertTrue(runner.run(spec, false, "{\"seconds\": 0}", "r-3", "app-b").contains("\"ok\""), "another caller runs beside it");
            assertTrue(first.get(60, TimeUnit.SECONDS).contains("\"ok\""));
            assertTrue(runner.run(spec, false, "{\"seconds\": 0}", "r-4", "app-a").contains("\"ok\""), "its first invocation over, app-a runs again");
        }
    }

    /**
     * Boxes started ahead for a published version give way to an invocation waiting for memory: before, two idle boxes
     * of one model held the budget, and every other model's invocation got 503 until they expired (five minutes).
     */
    @Test
    void boxesStartedAheadGiveWayToAnInvocationWaitingForMemory(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec published = sleeper(tmp, 1);
        ModelRunner.Spec draft = sleeper(tmp, 2);
        // Room for two boxes of 272 MiB: both started ahead for the published version.
        try (ModelRunner runner = new ModelRunner(sandbox, 2, 600)) {
            assumeGroups(runner);
            runner.prewarm(published);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (runner.ready(published) < 2 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(2, runner.ready(published), "two boxes started ahead");
            assertTrue(runner.run(draft, false, "{\"seconds\": 0}", "r-1", "app-a").contains("\"ok\""), "a box started ahead gave way");
            assertEquals(1, runner.ready(published), "one box started ahead is left");
            assertTrue(runner.run(published, true, "{\"seconds\": 0}", "r-2", "app-b").contains("\"ok\""), "and serves the published version");
        }
    }

    /**
     * A box started ahead runs the model's code (its module is loaded ahead) with no invocation's clock on it: one that no
     * invocation took within its time is destroyed and a fresh one started in its place, which serves the next invocation.
     */
    @Test
    void aBoxStartedAheadThatNoInvocationTookIsReplacedAfterItsTime(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec published = sleeper(tmp, 1);
        java.util.Optional<BoxGroups> groups = BoxGroups.detect();
        Assumptions.assumeTrue(groups.isPresent(), "no control groups for model boxes on this host");
        try (ModelRunner runner = new ModelRunner(sandbox, 1, 1000, groups, 2000)) {
            runner.prewarm(published);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (runner.ready(published) < 1 && System.nanoTime() < deadline) Thread.sleep(50);
            java.util.List<Long> first = runner.readyPids(published);
            assertEquals(1, first.size(), "a box started ahead");
            ProcessHandle firstBox = ProcessHandle.of(first.get(0)).orElseThrow();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((firstBox.isAlive() || runner.readyPids(published).isEmpty()) && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(firstBox.isAlive(), "not taken within its time: destroyed");
            java.util.List<Long> next = runner.readyPids(published);
            assertEquals(1, next.size(), "and a fresh one started in its place");
            assertFalse(next.contains(first.get(0)));
            assertTrue(runner.run(published, true, "{\"seconds\": 0}", "r-1", "app-a").contains("\"ok\""), "which serves the next invocation");
        }
    }

    /**
     * A model whose code spins as it loads kept a core busy in each box started ahead, with no invocation's clock on it and
     * charged to no one, box after box for as long as the model was used: such a box is destroyed once it has used more
     * than half a core while waiting, and its version's boxes then start with their invocations only. A model that loads
     * and waits keeps its box.
     */
    @Test
    void aBoxStartedAheadWhoseCodeSpinsAsItLoadsIsNotStartedAheadAgain(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        ModelRunner.Spec calm = sleeper(tmp, 1);
        Path code = Files.createDirectories(tmp.resolve("m").resolve("spins"));
        Files.writeString(code.resolve("index.py"), "while True:\n    pass\ndef handler(event, context):\n    return {}\n");
        Files.setPosixFilePermissions(code, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(code.resolve("index.py"), PosixFilePermissions.fromString("rw-r--r--"));
        ModelRunner.Spec spins = new ModelRunner.Spec("spins", 1, "python3", code, "index.handler", new ModelRunner.Limits(128, 30));
        java.util.Optional<BoxGroups> groups = BoxGroups.detect();
        Assumptions.assumeTrue(groups.isPresent(), "no control groups for model boxes on this host");
        try (ModelRunner runner = new ModelRunner(sandbox, 1, 1000, groups, 6000)) {   // looked at every 1.5 s
            runner.prewarm(spins);
            runner.prewarm(calm);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((runner.ready(spins) < 1 || runner.ready(calm) < 1) && System.nanoTime() < deadline) Thread.sleep(50);
            ProcessHandle spinning = ProcessHandle.of(runner.readyPids(spins).get(0)).orElseThrow();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (spinning.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(spinning.isAlive(), "the spinning box is destroyed while it waits");
            Thread.sleep(1000);
            assertEquals(0, runner.ready(spins), "and none started ahead in its place");
            assertEquals(1, runner.ready(calm), "the calm model's box waits on");
        }
    }

    /** A python model whose module runs {@code atImport} as it loads. */
    private static ModelRunner.Spec loading(Path tmp, String name, String atImport) throws Exception {
        Path code = Files.createDirectories(tmp.resolve("m").resolve(name));
        Files.writeString(code.resolve("index.py"), atImport + "\ndef handler(event, context):\n    return {}\n");
        Files.setPosixFilePermissions(code, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(code.resolve("index.py"), PosixFilePermissions.fromString("rw-r--r--"));
        return new ModelRunner.Spec(name, 1, "python3", code, "index.handler", new ModelRunner.Limits(128, 30));
    }

    /**
     * Started ahead for {@code spec} (boxes waiting {@code readyMillis}): the box's process, then whether it was destroyed for
     * its CPU (gone, with no box started ahead in its place) before its wait was over (when it would have been replaced).
     */
    private static boolean destroyedForItsCpu(ModelRunner runner, ModelRunner.Spec spec, long readyMillis) throws Exception {
        runner.prewarm(spec);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (runner.ready(spec) < 1 && System.nanoTime() < deadline) Thread.sleep(50);
        ProcessHandle box = ProcessHandle.of(runner.readyPids(spec).get(0)).orElseThrow();
        long started = System.nanoTime();
        while (box.isAlive() && System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(readyMillis - 1000)) Thread.sleep(50);
        boolean goneInTime = !box.isAlive();
        Thread.sleep(1500);
        return goneInTime && runner.ready(spec) == 0;
    }

    /**
     * A box started ahead was looked at once: a model that slept through that look, then spun, kept a core until its box
     * was replaced, and the next box did the same. It is looked at again and again while it waits.
     */
    @Test
    void aBoxStartedAheadThatSpinsOnlyAfterAWhileIsFoundToo(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        java.util.Optional<BoxGroups> groups = BoxGroups.detect();
        Assumptions.assumeTrue(groups.isPresent(), "no control groups for model boxes on this host");
        ModelRunner.Spec late = loading(tmp, "late", "import time\ntime.sleep(7)\nwhile True:\n    pass");
        try (ModelRunner runner = new ModelRunner(sandbox, 1, 1000, groups, 12_000)) {   // looked at every 3 s (once, at 6 s, before)
            assertTrue(destroyedForItsCpu(runner, late, 12_000), "destroyed for the core it took once it began to spin, and not started ahead again");
        }
    }

    /**
     * The CPU of a box is what its group counts: a model whose import spins in children that come and go (each takes its
     * count with it when it exits) used a core while the processes still there showed almost nothing.
     */
    @Test
    void aBoxStartedAheadThatSpinsInChildrenThatComeAndGoIsFound(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        java.util.Optional<BoxGroups> groups = BoxGroups.detect();
        Assumptions.assumeTrue(groups.isPresent(), "no control groups for model boxes on this host");
        ModelRunner.Spec forks = loading(tmp, "forks", String.join("\n", "import os, time",
                "while True:",
                "    pid = os.fork()",
                "    if pid == 0:",
                "        end = time.monotonic() + 0.2",
                "        while time.monotonic() < end:",
                "            pass",
                "        os._exit(0)",
                "    os.waitpid(pid, 0)"));
        try (ModelRunner runner = new ModelRunner(sandbox, 1, 1000, groups, 12_000)) {
            assertTrue(destroyedForItsCpu(runner, forks, 12_000), "destroyed for the CPU its children used, and not started ahead again");
        }
    }
}
