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
 * and pids hierarchies when they are writable, under the server's own group in each (so that the limits of
 * the server's container hold for its boxes too). Where neither is, no box is started: every invocation is
 * refused (41217), as where the sandbox itself cannot be built, and the server says so in its log at start
 * (docs/operations.md). A box whose group cannot be made, or bounded as the server found it could at start,
 * is not started either. Swap is bounded where the kernel accounts it (memory.swap.max, v1's memsw): where
 * it does not, the memory limit still holds the box's RAM, and a WARN at start says that its pages beyond
 * it may go to swap when the host has swap on.
 */
public final class BoxGroups {
    private static final Logger LOG = LoggerFactory.getLogger(BoxGroups.class);

    /** One box's group: the files its first process writes itself into, and what the kernel counted. */
    interface Group {
        /** The {@code cgroup.procs} files the box's first process writes its pid into, before anything else runs. */
        List<Path> procsFiles();

        /** Whether the kernel killed a process of the box for the group's memory limit. */
        boolean memoryExceeded();

        /**
         * The CPU time, in nanoseconds, every process of the box has used so far, those gone included, as the kernel
         * accounts it for the group (cgroup v2's cpu.stat, v1's cpuacct); empty where the host accounts none for it.
         */
        java.util.OptionalLong cpuNanos();

        /** Removes the group (once its processes are gone). */
        void remove();
    }

    /** The CPU time a box may use per {@link #CPU_PERIOD_MICROS}: one core's worth. */
    static final long CPU_QUOTA_MICROS = 100_000;
    static final long CPU_PERIOD_MICROS = 100_000;

    private final List<Path> parents;   // v1: the memory and pids hierarchies' directories for this server, then cpu's and cpuacct's if any; v2: one
    private final boolean v2;
    /** Whether boxes' groups bound CPU (v2's cpu controller, or v1's cpu hierarchy, where the server may use them). */
    private final boolean cpu;
    /** Whether boxes' groups bound swap too (false once a group was made without memory.swap.max or v1's memsw). */
    private volatile boolean swapBounded = true;
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

    /** Why no box is started where there are no groups (the server's log; invocations answer 41217). */
    static final String UNAVAILABLE = "no control group for model boxes' memory and processes: no writable control group hierarchy here"
            + " (cgroup v2 delegated to the server, or cgroup v1 memory and pids), and a box is never run with per-process limits only"
            + " (docs/operations.md)";

    /**
     * The groups this host lets the server make, if any (a group is made and removed to be sure). Empty: no box may be
     * started ({@link #UNAVAILABLE}).
     */
    static Optional<BoxGroups> detect() {
        String tag = "omix-boxes-" + PID_NAMESPACE + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Optional<BoxGroups> found = v2(tag).or(() -> v1(tag));
        AVAILABLE.set(found.isPresent());
        CPU_BOUNDED.set(found.isPresent() && found.get().cpu);
        if (found.isEmpty()) {
            LOG.warn("model invocations are refused (41217): {}", UNAVAILABLE);
            return found;
        }
        if (!found.get().cpu) {
            LOG.warn("model boxes' CPU is bounded per process only (no cpu controller the server may use): a model that forks busy"
                    + " children can take every core (docs/operations.md)");
        }
        if (!found.get().swapBounded) {
            LOG.warn("model boxes' swap is not bounded (the kernel does not account swap in control groups here): their memory limit"
                    + " holds their RAM, {}", swapInUse() ? "and their pages beyond it may go to this host's swap" : "and this host has no swap on now");
        }
        return found;
    }

    /** Whether the host has swap on (a line beyond /proc/swaps' header). */
    private static boolean swapInUse() {
        try {
            return Files.readAllLines(Path.of("/proc/swaps")).size() > 1;
        } catch (IOException | RuntimeException e) {
            return true;   // unknown: say the worse
        }
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
            // not this host's way: v1, or no groups (and no boxes)
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

    /**
     * cgroup v1: boxes' groups under the server's own group in the memory and pids hierarchies (and cpu's), as
     * /proc/self/cgroup names them: a server in a container's group (memory:/process_api/ID, say) keeps its boxes within
     * the container's limits. Where the server's group is a hierarchy's root, they are at its top.
     */
    private static Optional<BoxGroups> v1(String tag) {
        Path mounts = Path.of("/sys/fs/cgroup");
        List<String> self;
        try {
            self = Files.readAllLines(Path.of("/proc/self/cgroup"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        Optional<Path> memory = orMountTop(v1Group(mounts.resolve("memory"), "memory", self), mounts.resolve("memory"));
        Optional<Path> pids = orMountTop(v1Group(mounts.resolve("pids"), "pids", self), mounts.resolve("pids"));
        if (memory.isEmpty() || pids.isEmpty()) return Optional.empty();
        List<Path> parents = new ArrayList<>();
        try {
            if (!Files.isRegularFile(memory.get().resolve("cgroup.procs")) || !Files.isRegularFile(pids.get().resolve("cgroup.procs"))) return Optional.empty();
            sweepV1(mounts.resolve("memory"), memory.get());
            sweepV1(mounts.resolve("pids"), pids.get());
            parents.add(Files.createDirectory(memory.get().resolve(tag)));
            parents.add(Files.createDirectory(pids.get().resolve(tag)));
        } catch (IOException | RuntimeException e) {
            for (Path p : parents) removeQuietly(p);
            return Optional.empty();   // not writable here
        }
        // CPU where its hierarchy is writable too (often mounted as cpu,cpuacct, reached through the cpu link); else without.
        boolean cpu = false;
        Optional<Path> cpuGroup = orMountTop(v1Group(mounts.resolve("cpu"), "cpu", self), mounts.resolve("cpu"));
        try {
            if (cpuGroup.isPresent() && Files.isRegularFile(cpuGroup.get().resolve("cpu.cfs_quota_us"))) {
                sweepV1(mounts.resolve("cpu"), cpuGroup.get());
                Path own = Files.createDirectory(cpuGroup.get().resolve(tag));
                if (new BoxGroups(List.of(parents.get(0), parents.get(1), own), false, true).tryOne()) {
                    parents.add(own);
                    cpu = true;
                } else {
                    removeQuietly(own);
                }
            }
        } catch (IOException | RuntimeException e) {
            // memory and pids alone
        }
        // The CPU a box has used, where cpuacct is a hierarchy of its own (mounted with cpu, its counts are in cpu's groups
        // already): what a box started ahead uses while it waits is read there, its processes gone included (ModelRunner).
        Optional<Path> acctGroup = orMountTop(v1Group(mounts.resolve("cpuacct"), "cpuacct", self), mounts.resolve("cpuacct"));
        try {
            if (!(cpu && Files.isRegularFile(parents.get(2).resolve("cpuacct.usage")))
                    && acctGroup.isPresent() && Files.isRegularFile(acctGroup.get().resolve("cpuacct.usage"))) {
                sweepV1(mounts.resolve("cpuacct"), acctGroup.get());
                Path own = Files.createDirectory(acctGroup.get().resolve(tag));
                List<Path> withAcct = new ArrayList<>(parents);
                withAcct.add(own);
                BoxGroups groups = new BoxGroups(List.copyOf(withAcct), false, cpu);
                if (groups.tryOne()) return Optional.of(groups);
                removeQuietly(own);
            }
        } catch (IOException | RuntimeException e) {
            // without its accounting: the processes' own counts are read instead
        }
        BoxGroups groups = new BoxGroups(List.copyOf(parents), false, cpu);
        if (groups.tryOne()) return Optional.of(groups);
        for (Path p : parents) removeQuietly(p);
        return Optional.empty();
    }

    /**
     * cgroup v1: this process's group in the hierarchy of {@code controller} mounted at {@code mount}, from the lines of
     * /proc/self/cgroup ({@code ID:controller,...:/path}); empty when no line names the controller, or its path leads
     * out of the mount.
     */
    static Optional<Path> v1Group(Path mount, String controller, List<String> procSelfCgroup) {
        for (String line : procSelfCgroup) {
            String[] fields = line.split(":", 3);
            if (fields.length < 3 || !List.of(fields[1].split(",")).contains(controller)) continue;
            Path group = mount.resolve(fields[2].trim().replaceFirst("^/+", "")).normalize();
            return group.startsWith(mount) ? Optional.of(group) : Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The group {@link #v1Group} named where it is there; else the mount's top: a container sharing the host's cgroup
     * namespace sees the host's path of its group in /proc/self/cgroup, with its own group mounted at the top.
     */
    static Optional<Path> orMountTop(Optional<Path> group, Path mount) {
        return group.map(g -> Files.isRegularFile(g.resolve("cgroup.procs")) ? g : mount);
    }

    /**
     * Sweeps the server's own group in a v1 hierarchy and, when that is not the hierarchy's top, the top too: servers
     * of earlier releases made their parents there.
     */
    private static void sweepV1(Path mount, Path own) {
        sweepStale(own);
        if (!own.equals(mount)) sweepStale(mount);
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

    /**
     * A new group for one box: at most {@code memoryBytes} of memory (no swap, where the kernel accounts it) and
     * {@code processes} processes, and one core's worth of CPU where the server found at start that it may bound it.
     * Throws when any of these cannot be set: the box is then not started.
     */
    Group create(long memoryBytes, int processes) throws IOException {
        String name = "box-" + numbers.incrementAndGet();
        List<Path> dirs = new ArrayList<>();
        try {
            for (Path parent : parents) {
                if (!Files.isDirectory(parent)) {   // removed while the server ran (by hand, or by a server that could not see this process)
                    Files.createDirectories(parent);
                    if (v2) {
                        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
                        if (cpu) Files.writeString(parent.resolve("cgroup.subtree_control"), "+cpu");   // else no box: not weaker than at start
                    }
                }
                dirs.add(Files.createDirectory(parent.resolve(name)));
            }
            if (v2) {
                Path d = dirs.get(0);
                Files.writeString(d.resolve("memory.max"), String.valueOf(memoryBytes));
                // Without swap accounting the memory limit still holds the box's RAM (detect says so at start).
                if (Files.exists(d.resolve("memory.swap.max"))) Files.writeString(d.resolve("memory.swap.max"), "0");
                else swapBounded = false;
                Files.writeString(d.resolve("pids.max"), String.valueOf(processes));
                if (cpu) Files.writeString(d.resolve("cpu.max"), CPU_QUOTA_MICROS + " " + CPU_PERIOD_MICROS);
            } else {
                Path mem = dirs.get(0);
                Files.writeString(mem.resolve("memory.limit_in_bytes"), String.valueOf(memoryBytes));
                if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) Files.writeString(mem.resolve("memory.memsw.limit_in_bytes"), String.valueOf(memoryBytes));
                else swapBounded = false;
                Files.writeString(dirs.get(1).resolve("pids.max"), String.valueOf(processes));
                if (cpu) {
                    Files.writeString(dirs.get(2).resolve("cpu.cfs_period_us"), String.valueOf(CPU_PERIOD_MICROS));
                    Files.writeString(dirs.get(2).resolve("cpu.cfs_quota_us"), String.valueOf(CPU_QUOTA_MICROS));
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
            public java.util.OptionalLong cpuNanos() {
                try {
                    if (v2) {
                        for (String line : Files.readAllLines(dirs.get(0).resolve("cpu.stat"), StandardCharsets.US_ASCII)) {
                            if (line.startsWith("usage_usec ")) return java.util.OptionalLong.of(Long.parseLong(line.substring(11).trim()) * 1000);
                        }
                    } else {
                        for (Path d : dirs) {
                            Path usage = d.resolve("cpuacct.usage");
                            if (Files.isRegularFile(usage)) return java.util.OptionalLong.of(Long.parseLong(Files.readString(usage, StandardCharsets.US_ASCII).trim()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone already: nothing more to count
                }
                return java.util.OptionalLong.empty();
            }

            @Override
            public void remove() {
                for (Path d : dirs) removeQuietly(d);
            }
        };
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
