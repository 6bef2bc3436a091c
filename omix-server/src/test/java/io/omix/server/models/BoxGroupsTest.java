package io.omix.server.models;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control groups a killed server's boxes leave behind are removed at the next start, and only theirs: a live
 * server's parent group (another server in this process, here) and another process namespace's stay, and a server whose parent
 * was removed makes it again. On cgroup v1 the boxes' groups are made under the server's own group in each hierarchy
 * (a container's, say), not at the hierarchy's top where they would escape its limits. Where there are no groups, no
 * box is started.
 */
class BoxGroupsTest {
    private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");
    private static final Path PIDS = Path.of("/sys/fs/cgroup/pids");

    @Test
    void aDeadServersBoxGroupsAreSweptAtStartAndALiveOnesStay() throws Exception {
        Optional<BoxGroups> probe = BoxGroups.detect();
        Assumptions.assumeTrue(probe.isPresent() && !Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")),
                "no writable cgroup v1 hierarchies on this host");
        probe.get().close();
        List<String> self = Files.readAllLines(Path.of("/proc/self/cgroup"));
        Path memory = BoxGroups.v1Group(MEMORY, "memory", self).orElseThrow();
        Path pids = BoxGroups.v1Group(PIDS, "pids", self).orElseThrow();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String dead = "omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + gone.pid() + "-0123abcd";
        String live = "omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-89abcdef";
        String elsewhere = "omix-boxes-1-" + gone.pid() + "-4567abcd";   // another process namespace's: its ids mean nothing here
        List<Path> made = new ArrayList<>(List.of(memory.resolve(dead), pids.resolve(dead), memory.resolve(live), pids.resolve(live), memory.resolve(elsewhere)));
        // A server of an earlier release made its parents at the hierarchy's top: a dead one's are swept there too.
        String deadAtTop = "omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + gone.pid() + "-fedc4321";
        if (!memory.equals(MEMORY)) made.add(MEMORY.resolve(deadAtTop));
        try {
            for (Path parent : made) Files.createDirectories(parent.resolve("box-7"));
            Optional<BoxGroups> groups = BoxGroups.detect();
            assertTrue(groups.isPresent());
            try {
                assertFalse(Files.exists(memory.resolve(dead)), "a killed server's memory groups are removed, its boxes' with them");
                assertFalse(Files.exists(pids.resolve(dead)), "and its pids groups");
                assertFalse(Files.exists(MEMORY.resolve(deadAtTop)), "and those at the hierarchy's top");
                assertTrue(Files.exists(memory.resolve(live).resolve("box-7")), "a live server's groups stay");
                assertTrue(Files.exists(pids.resolve(live).resolve("box-7")));
                assertTrue(Files.exists(memory.resolve(elsewhere).resolve("box-7")), "another namespace's server is not judged from here");
                for (Path own : List.of(memory, pids)) {
                    assertFalse(ownParents(own).isEmpty(), "this server's parent is under its own group " + own + ", within its limits");
                }

                // A parent removed while the server runs (by hand, or by a server that could not see this process): the next box makes it again.
                for (Path own : List.of(memory, pids)) {
                    for (Path parent : ownParents(own)) Files.delete(parent);
                }
                BoxGroups.Group box = groups.get().create(64L << 20, 8);
                assertTrue(box.procsFiles().stream().allMatch(Files::isRegularFile), "the box's group exists: " + box.procsFiles());
                assertTrue(box.procsFiles().get(0).startsWith(memory), "under the server's own memory group: " + box.procsFiles());
                box.remove();
            } finally {
                groups.get().close();
            }
        } finally {
            for (Path parent : made) {
                Files.deleteIfExists(parent.resolve("box-7"));
                Files.deleteIfExists(parent);
            }
        }
    }

    /** The parents this process made in {@code group} (the test's own, planted ones aside). */
    private static List<Path> ownParents(Path group) throws Exception {
        try (var dirs = Files.list(group)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-")
                    && !d.getFileName().toString().endsWith("89abcdef")).toList();
        }
    }

    /** cgroup v1: the server's own group in each hierarchy, as /proc/self/cgroup names it. */
    @Test
    void theServersOwnV1GroupIsReadFromProcSelfCgroup() {
        List<String> self = List.of("9:name=systemd:/", "8:pids:/", "4:memory:/process_api/40a885f7", "3:cpuset:/", "2:cpu,cpuacct:/user.slice",
                "0::/");
        Path mounts = Path.of("/sys/fs/cgroup");
        assertEquals(Optional.of(mounts.resolve("memory/process_api/40a885f7")), BoxGroups.v1Group(mounts.resolve("memory"), "memory", self));
        assertEquals(Optional.of(mounts.resolve("pids")), BoxGroups.v1Group(mounts.resolve("pids"), "pids", self), "the hierarchy's top");
        assertEquals(Optional.of(mounts.resolve("cpu/user.slice")), BoxGroups.v1Group(mounts.resolve("cpu"), "cpu", self), "a hierarchy of two controllers");
        assertEquals(Optional.empty(), BoxGroups.v1Group(mounts.resolve("blkio"), "blkio", self), "a controller not mounted");
        assertEquals(Optional.empty(), BoxGroups.v1Group(mounts.resolve("memory"), "memory", List.of("4:memory:/../../etc")), "nothing out of the mount");
    }

    /**
     * Where the server cannot make groups, no box is started, ahead or for an invocation: the invocation is refused as
     * where the sandbox cannot be built (41217), never run with per-process limits only.
     */
    @Test
    void withoutGroupsNoBoxIsStarted(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = Sandbox.prepare(tmp.resolve(".runtime"), tmp.resolve(".channel").resolve("api.sock"), "/usr/bin/python3");
        ModelRunner.Spec spec = new ModelRunner.Spec("m", 1, "python3", tmp.resolve("m").resolve("1"), "index.handler", new ModelRunner.Limits(128, 30));
        try (ModelRunner runner = new ModelRunner(sandbox, 2, 1024, Optional.empty(), ModelRunner.READY_MILLIS)) {
            assertTrue(runner.unavailable().isPresent(), "the server says why at start");
            ApiException refused = assertThrows(ApiException.class, () -> runner.run(spec, false, "{}", "r-1", "app-a"));
            assertEquals(ErrorCode.MODEL_SANDBOX_UNAVAILABLE, refused.error());
            runner.prewarm(spec);
            Thread.sleep(500);
            assertEquals(0, runner.ready(spec), "nor started ahead");
            refused = assertThrows(ApiException.class, () -> runner.run(spec, true, "{}", "r-2", "app-a"));
            assertEquals(ErrorCode.MODEL_SANDBOX_UNAVAILABLE, refused.error());
        }
    }

    /**
     * A box's group counts the CPU its processes used, those that have exited too (what a box started ahead uses while it
     * waits is read there): where the host accounts CPU per group (cgroup v2, or v1 with a cpuacct hierarchy the server may
     * write), a process that spun and is gone is still in the count.
     */
    @Test
    void aGroupCountsTheCpuOfProcessesAlreadyGone() throws Exception {
        Optional<BoxGroups> groups = BoxGroups.detect();
        Assumptions.assumeTrue(groups.isPresent(), "no control groups for model boxes on this host");
        Assumptions.assumeTrue(Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) || Files.isRegularFile(Path.of("/sys/fs/cgroup/cpuacct/cpuacct.usage")),
                "no CPU accounting per group on this host");
        try {
            BoxGroups.Group group = groups.get().create(64L << 20, 8);
            try {
                StringBuilder join = new StringBuilder();
                for (Path procs : group.procsFiles()) join.append("echo $$ > '").append(procs).append("' || exit 9; ");
                Process spinner = new ProcessBuilder("/bin/sh", "-c", join + "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
                assertEquals(0, spinner.waitFor(), "joined its group and spun");
                assertTrue(group.cpuNanos().orElseThrow() > 50_000_000L, "its CPU counted after it exited: " + group.cpuNanos());
            } finally {
                group.remove();
            }
        } finally {
            groups.get().close();
        }
    }
}
