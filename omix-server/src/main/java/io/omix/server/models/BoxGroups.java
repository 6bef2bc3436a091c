package io.omix.server.models;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A control group for each box, bounding what all of its processes use together: memory (its tmpfs
 * pages included), the number of processes and, where the host lets the server, CPU (one core's worth:
 * a model that forks busy children does not take every core of the server it shares). The per-process limits a box also has (address space,
 * CPU time) let a model that forks multiply them; a group does not. The kernel's control groups are
 * used where the server may make them: cgroup v2 under the group the server was started in (it moves
 * itself into a leaf there: a container of its own, or systemd's Delegate=yes), else cgroup v1's memory
 * and pids hierarchies when they are writable. Where neither is, boxes keep their
 * per-process limits only, and the server says so in its log at start (docs/operations.md).
 */
public final class BoxGroups {
    private static final Logger LOG = LoggerFactory.getLogger(BoxGroups.class);

    /** One box's group: the files its first process writes itself into, and what the kernel counted. */
    interface Group {
        /** The {@code cgroup.procs} files the box's first process writes its pid into, before anything else runs. */
        List<Path> procsFiles();

        /** Whether the kernel killed a process of the box for the group's memory limit. */
        boolean memoryExceeded();

        /** Removes the group (once its processes are gone). */
        void remove();
    }

    /** The CPU time a box may use per {@link #CPU_PERIOD_MICROS}: one core's worth. */
    static final long CPU_QUOTA_MICROS = 100_000;
    static final long CPU_PERIOD_MICROS = 100_000;

    private final List<Path> parents;   // v1: the memory and pids hierarchies' directories for this server, then cpu's if any; v2: one
    private final boolean v2;
    /** Whether boxes' groups bound CPU (v2's cpu controller, or v1's cpu hierarchy, where the server may use them). */
    private final boolean cpu;
    private final AtomicLong numbers = new AtomicLong();

    private BoxGroups(List<Path> parents, boolean v2, boolean cpu) {
        this.parents = parents;
        this.v2 = v2;
        this.cpu = cpu;
    }

    /**
     * Parent groups are named for the server's process namespace and process id, so that the next start can tell a
     * crashed server's from a live one's, and never judges a server of another namespace (its ids mean nothing here).
     */
    private static final java.util.regex.Pattern PARENT = java.util.regex.Pattern.compile("omix-boxes-(\\d+)-(\\d+)-[0-9a-f]{8}");

    /** The groups this host lets the server make, if any (a group is made and removed to be sure). */
    static Optional<BoxGroups> detect() {
        String tag = "omix-boxes-" + PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Optional<BoxGroups> found = v2(tag).or(() -> v1(tag));
        AVAILABLE.set(found.isPresent());
        CPU_BOUNDED.set(found.isPresent() && found.get().cpu);
        if (found.isEmpty()) {
            LOG.warn("model boxes get per-process limits only: no writable control group hierarchy here (cgroup v2 delegated to the server,"
                    + " or cgroup v1 memory and pids); a model that forks can use its memory limit once per process (docs/operations.md)");
        } else if (!found.get().cpu) {
            LOG.warn("model boxes' CPU is bounded per process only (no cpu controller the server may use): a model that forks busy"
                    + " children can take every core (docs/operations.md)");
        }
        return found;
    }

    /**
     * cgroup v2: boxes' groups beside the server's own leaf, under the group the server was started in (the root of a
     * container's namespace, or a systemd unit's with Delegate=yes). Controllers can be turned on for a group's children
     * only while the group itself holds no process, so the server first moves itself into a leaf of its own there.
     */
    private static Optional<BoxGroups> v2(String tag) {
        Path root = Path.of("/sys/fs/cgroup");
        Path parent = null;
        try {
            if (!Files.isRegularFile(root.resolve("cgroup.controllers"))) return Optional.empty();
            String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::")).findFirst().orElse(null);
            if (own == null) return Optional.empty();
            Path group = root.resolve(own.substring(3).replaceFirst("^/+", "")).normalize();
            if (!group.startsWith(root)) return Optional.empty();
            boolean restarted = group.getFileName().toString().equals("omix-server");
            if (restarted) group = group.getParent();   // started again inside the leaf an earlier start made
            List<String> controllers = List.of(Files.readString(group.resolve("cgroup.controllers")).trim().split("\\s+"));
            if (!controllers.contains("memory") || !controllers.contains("pids")) return Optional.empty();
            if (!restarted) {
                Path leaf = Files.createDirectories(group.resolve("omix-server"));
                Files.writeString(leaf.resolve("cgroup.procs"), String.valueOf(ProcessHandle.current().pid()));
            }
            Files.writeString(group.resolve("cgroup.subtree_control"), "+memory +pids");
            sweepStale(group);
            parent = Files.createDirectory(group.resolve(tag));
            Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
            // CPU apart: a kernel that refuses it (real-time tasks in the subtree, threaded groups) keeps memory and processes bounded.
            boolean cpu = controllers.contains("cpu") && enableCpu(group) && enableCpu(parent);
            BoxGroups groups = new BoxGroups(List.of(parent), true, cpu);
            if (groups.tryOne()) return Optional.of(groups);
        } catch (IOException | RuntimeException e) {
            // not this host's way: v1, or per-process limits only
        }
        if (parent != null) removeQuietly(parent);
        return Optional.empty();
    }

    /** Turns cgroup v2's cpu controller on for {@code group}'s children: false where the kernel refuses it. */
    private static boolean enableCpu(Path group) {
        try {
            Files.writeString(group.resolve("cgroup.subtree_control"), "+cpu");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<BoxGroups> v1(String tag) {
        Path memory = Path.of("/sys/fs/cgroup/memory");
        Path pids = Path.of("/sys/fs/cgroup/pids");
        List<Path> parents = new ArrayList<>();
        try {
            if (!Files.isRegularFile(memory.resolve("cgroup.procs")) || !Files.isRegularFile(pids.resolve("cgroup.procs"))) return Optional.empty();
            sweepStale(memory);
            sweepStale(pids);
            parents.add(Files.createDirectory(memory.resolve(tag)));
            parents.add(Files.createDirectory(pids.resolve(tag)));
        } catch (IOException | RuntimeException e) {
            for (Path p : parents) removeQuietly(p);
            return Optional.empty();   // not writable here
        }
        // CPU where its hierarchy is writable too (often mounted as cpu,cpuacct, reached through the cpu link); else without.
        Path cpu = Path.of("/sys/fs/cgroup/cpu");
        try {
            if (Files.isRegularFile(cpu.resolve("cpu.cfs_quota_us"))) {
                sweepStale(cpu);
                Path own = Files.createDirectory(cpu.resolve(tag));
                BoxGroups withCpu = new BoxGroups(List.of(parents.get(0), parents.get(1), own), false, true);
                if (withCpu.tryOne()) return Optional.of(withCpu);
                removeQuietly(own);
            }
        } catch (IOException | RuntimeException e) {
            // memory and pids alone
        }
        BoxGroups groups = new BoxGroups(List.copyOf(parents), false, false);
        if (groups.tryOne()) return Optional.of(groups);
        for (Path p : parents) removeQuietly(p);
        return Optional.empty();
    }

    /** This process's pid namespace (the inode number of /proc/self/ns/pid), "0" where it cannot be read. */
    static final String PID_NAMESPACE = pidNamespace();

    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }

    /**
     * Removes the parent groups in {@code hierarchy} of servers of this process namespace whose process is gone (killed,
     * or crashed: a clean stop removes its own), with their boxes' groups: the kernel refuses to remove one that still
     * holds a process. Parents of other namespaces' servers are left alone.
     */
    static int sweepStale(Path hierarchy) {
        int removed = 0;
        try (var children = Files.list(hierarchy)) {
            for (Path dir : children.filter(Files::isDirectory).toList()) {
                var m = PARENT.matcher(dir.getFileName().toString());
                if (!m.matches() || !m.group(1).equals(PID_NAMESPACE)
                        || ProcessHandle.of(Long.parseLong(m.group(2))).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try (var boxes = Files.list(dir)) {
                    boxes.filter(Files::isDirectory).forEach(BoxGroups::removeQuietly);
                }
                removeQuietly(dir);
                if (!Files.exists(dir)) removed++;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("stale box groups in {} not swept: {}", hierarchy, e.toString());
        }
        if (removed > 0) LOG.info("removed {} control groups of model boxes left by servers no longer running, in {}", removed, hierarchy);
        return removed;
    }

    private boolean tryOne() {
        try {
            create(64L << 20, 8).remove();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A new group for one box: at most {@code memoryBytes} of memory (no swap) and {@code processes} processes. */
    Group create(long memoryBytes, int processes) throws IOException {
        String name = "box-" + numbers.incrementAndGet();
        List<Path> dirs = new ArrayList<>();
        try {
            for (Path parent : parents) {
                if (!Files.isDirectory(parent)) {   // removed while the server ran (by hand, or by a server that could not see this process)
                    Files.createDirectories(parent);
                    if (v2) {
                        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
                        if (cpu) enableCpu(parent);   // else the box's cpu.max is missing: boundCpu warns and it runs without
                    }
                }
                dirs.add(Files.createDirectory(parent.resolve(name)));
            }
            if (v2) {
                Path d = dirs.get(0);
                Files.writeString(d.resolve("memory.max"), String.valueOf(memoryBytes));
                if (Files.exists(d.resolve("memory.swap.max"))) Files.writeString(d.resolve("memory.swap.max"), "0");
                Files.writeString(d.resolve("pids.max"), String.valueOf(processes));
                if (cpu) boundCpu(d.resolve("cpu.max"), CPU_QUOTA_MICROS + " " + CPU_PERIOD_MICROS);
            } else {
                Path mem = dirs.get(0);
                Files.writeString(mem.resolve("memory.limit_in_bytes"), String.valueOf(memoryBytes));
                if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) Files.writeString(mem.resolve("memory.memsw.limit_in_bytes"), String.valueOf(memoryBytes));
                Files.writeString(dirs.get(1).resolve("pids.max"), String.valueOf(processes));
                if (cpu && boundCpu(dirs.get(2).resolve("cpu.cfs_period_us"), String.valueOf(CPU_PERIOD_MICROS))) {
                    boundCpu(dirs.get(2).resolve("cpu.cfs_quota_us"), String.valueOf(CPU_QUOTA_MICROS));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path d : dirs) removeQuietly(d);
            throw e;
        }
        List<Path> procs = dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
        Path events = v2 ? dirs.get(0).resolve("memory.events") : dirs.get(0).resolve("memory.oom_control");
        return new Group() {
            @Override
            public List<Path> procsFiles() {
                return procs;
            }

            @Override
            public boolean memoryExceeded() {
                try {
                    for (String line : Files.readAllLines(events, StandardCharsets.US_ASCII)) {
                        if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone already, or a kernel without the count: the failure is reported as what else it was
                }
                return false;
            }

            @Override
            public void remove() {
                for (Path d : dirs) removeQuietly(d);
            }
        };
    }

    /**
     * Writes one of a box's CPU bounds; a host that took the cpu controller away since the server started (its parent
     * group made again without it, say) leaves the box with its memory and process bounds and a WARN, not unstartable.
     */
    private static boolean boundCpu(Path file, String value) {
        try {
            Files.writeString(file, value);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("a model box's CPU is not bounded ({}: {})", file.getFileName(), e.toString());
            return false;
        }
    }

    /** Whether boxes are made in groups here (for tests and the log). */
    public static boolean availableHere() {
        return AVAILABLE.get();
    }

    /** Whether boxes' groups bound their CPU here (for tests and the log). */
    public static boolean cpuBoundedHere() {
        return CPU_BOUNDED.get();
    }

    private static final java.util.concurrent.atomic.AtomicBoolean AVAILABLE = new java.util.concurrent.atomic.AtomicBoolean();
    private static final java.util.concurrent.atomic.AtomicBoolean CPU_BOUNDED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Removes this server's parent groups (those of boxes still running stay until they are gone). */
    void close() {
        // The boxes' own groups go as their last processes do (moments after the boxes were stopped): wait a little for them.
        for (int attempt = 0; attempt < 30 && parents.stream().anyMatch(Files::exists); attempt++) {
            for (Path parent : parents) {
                try (var children = Files.list(parent)) {
                    children.filter(Files::isDirectory).forEach(BoxGroups::removeQuietly);
                } catch (IOException e) {
                    // gone already
                }
                removeQuietly(parent);
            }
            if (parents.stream().anyMatch(Files::exists)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);   // rmdir: the kernel takes a group away once no process is in it
        } catch (IOException e) {
            LOG.debug("control group {} not removed yet: {}", dir, e.toString());
        }
    }
}
