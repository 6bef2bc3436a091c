package io.omix.server.models;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control groups a killed server's boxes leave behind are removed at the next start, and only theirs: a live
 * server's parent group (another server in this process, here) and another process namespace's stay, and a server whose parent
 * was removed makes it again.
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
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String dead = "omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + gone.pid() + "-0123abcd";
        String live = "omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-89abcdef";
        String elsewhere = "omix-boxes-1-" + gone.pid() + "-4567abcd";   // another process namespace's: its ids mean nothing here
        List<Path> made = List.of(MEMORY.resolve(dead), PIDS.resolve(dead), MEMORY.resolve(live), PIDS.resolve(live), MEMORY.resolve(elsewhere));
        try {
            for (Path parent : made) Files.createDirectories(parent.resolve("box-7"));
            Optional<BoxGroups> groups = BoxGroups.detect();
            assertTrue(groups.isPresent());
            try {
                assertFalse(Files.exists(MEMORY.resolve(dead)), "a killed server's memory groups are removed, its boxes' with them");
                assertFalse(Files.exists(PIDS.resolve(dead)), "and its pids groups");
                assertTrue(Files.exists(MEMORY.resolve(live).resolve("box-7")), "a live server's groups stay");
                assertTrue(Files.exists(PIDS.resolve(live).resolve("box-7")));
                assertTrue(Files.exists(MEMORY.resolve(elsewhere).resolve("box-7")), "another namespace's server is not judged from here");

                // A parent removed while the server runs (by hand, or by a server that could not see this process): the next box makes it again.
                for (Path hierarchy : List.of(MEMORY, PIDS)) {
                    try (var dirs = Files.list(hierarchy)) {
                        for (Path own : dirs.filter(d -> d.getFileName().toString().startsWith("omix-boxes-" + BoxGroups.PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-")
                                && !d.getFileName().toString().endsWith("89abcdef")).toList()) {
                            Files.delete(own);
                        }
                    }
                }
                BoxGroups.Group box = groups.get().create(64L << 20, 8);
                assertTrue(box.procsFiles().stream().allMatch(Files::isRegularFile), "the box's group exists: " + box.procsFiles());
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
}
