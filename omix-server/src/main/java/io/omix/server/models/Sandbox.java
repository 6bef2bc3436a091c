package io.omix.server.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How a model's sandbox is built: bubblewrap ({@code bwrap}, Debian's package of the tool Flatpak
 * uses) gives each invocation its own user, mount, PID, IPC, UTS and network namespaces, a fresh
 * {@code /proc}, private tmpfs {@code /tmp} and {@code /dev/shm} (the only places it writes: its root
 * and {@code /dev} are read-only), read-only binds of the runtime and of the version's code and
 * nothing else of the host, no new privileges, no capabilities, no further user namespaces, and the
 * {@link SeccompFilter}; its control groups ({@link BoxGroups}) bound all its processes together.
 * Before it, {@code prlimit} sets the resource limits and {@code setpriv} switches to a host uid that
 * no other running sandbox holds ({@link UidLease}), so even a kernel bug in one namespace leaves
 * other invocations' processes owned by another user.
 *
 * <p>The one way out is the platform's API: the server's Unix socket bound at
 * {@value #CHANNEL_IN_BOX}; the runners forward {@code http://127.0.0.1:8080} inside the box to it.
 *
 * <p>When any piece is missing (not root, no bwrap, user namespaces off, another architecture),
 * {@link #unavailable()} says why and invocations are refused: there is no weaker box.
 */
final class Sandbox {
    static final String CHANNEL_IN_BOX = "/run/omix/api.sock";
    /** Where models reach the API inside their box (the runner forwards it to the channel). */
    static final String API_ENDPOINT_IN_BOX = "http://127.0.0.1:8080";
    static final long TMP_BYTES = 64L << 20;
    static final long SHM_BYTES = 16L << 20;
    /**
     * Host uids for sandboxes: a block far above any real account's, and outside the range systemd hands to containers
     * (0x00080000 - 0x6FFFFFFF, systemd-nspawn's --private-users=pick): a box's cleanup kills every process of its uid.
     */
    static final int UID_BASE = 0x7000_0000;
    static final int UID_SLOTS = 65_536;

    private final Path runtimeDir;
    private final Path seccompFile;
    private final Path uidLocks;
    private final Path channel;
    private final String python;
    private final Path pythonStdlib;
    private final String javaHome;
    private final String unavailable;
    private final boolean shIsDash = isDash();

    private Sandbox(Path runtimeDir, Path seccompFile, Path uidLocks, Path channel, String python, Path pythonStdlib, String javaHome,
                    String unavailable) {
        this.runtimeDir = runtimeDir;
        this.seccompFile = seccompFile;
        this.uidLocks = uidLocks;
        this.channel = channel;
        this.python = python;
        this.pythonStdlib = pythonStdlib;
        this.javaHome = javaHome;
        this.unavailable = unavailable;
    }

    /**
     * Prepares the runner files under {@code runtimeDir} and checks what a box needs, without
     * starting one ({@link #selfTest} does).
     *
     * @param channel the Unix socket of the platform's API that boxes get
     */
    static Sandbox prepare(Path runtimeDir, Path channel, String pythonSetting) {
        String javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize().toString();
        Path seccomp = runtimeDir.resolve("seccomp.bpf");
        Path locks = uidLockDir();
        String python = null;
        Path stdlib = null;
        String why = null;
        try {
            writeRunners(runtimeDir);
            if (!SeccompFilter.supported()) {
                why = "the model sandbox has no seccomp filter for the " + System.getProperty("os.arch") + " architecture";
            } else {
                Files.write(seccomp, SeccompFilter.program());
                Files.setPosixFilePermissions(seccomp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.createDirectories(locks);
            String notOwn = notOwnDirectory(locks);
            if (notOwn == null) {
                Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwx------"));
            } else if (why == null) {
                why = notOwn;
            }
        } catch (IOException e) {
            why = "cannot prepare the model runners under " + runtimeDir + ": " + e.getMessage();
        }
        if (why == null && !isRoot()) {
            why = "the server does not run as root, so it cannot give each model invocation a user of its own (setpriv)";
        }
        for (String tool : List.of("bwrap", "setpriv", "prlimit")) {
            if (why == null && which(tool).isEmpty()) {
                why = "'" + tool + "' is not installed (Debian: apt-get install " + (tool.equals("bwrap") ? "bubblewrap" : "util-linux") + ")";
            }
        }
        Path py = Path.of(pythonSetting);
        if (Files.isExecutable(py)) {
            try {
                python = py.toRealPath().toString();
                stdlib = Path.of(output(List.of(python, "-I", "-S", "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))")).trim()).toRealPath();
            } catch (IOException | RuntimeException e) {
                python = null; // python3 models are refused; java ones still run
            }
        }
        return new Sandbox(runtimeDir, seccomp, locks, channel, python, stdlib, javaHome, why);
    }

    /** Why no sandbox can be built here, if so. */
    Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    /** Why models of {@code runtime} cannot run here, if so. */
    Optional<String> unavailable(String runtime) {
        if (unavailable != null) return Optional.of(unavailable);
        if (runtime.equals("python3") && python == null) return Optional.of("python3 is not installed at the configured models.python");
        return Optional.empty();
    }

    /**
     * Starts a trivial program in a full box and reads its answer: what the server does once at start
     * so that a host where boxes cannot be made says so in its log, not at the first invocation.
     */
    Optional<String> selfTest() {
        if (unavailable != null) return Optional.of(unavailable);
        List<String> probe = python != null
                ? List.of(python(), "-I", "-S", "-c", "import os; print('ok', os.getuid())")
                : List.of(javaHome + "/bin/java", "-Xshare:auto", "-XX:-UsePerfData", "-version");
        try (UidLease uid = lease()) {
            Process p = new ProcessBuilder(command(uid.uid(), python != null ? "python3" : "java", runtimeDir, 64, 10, probe, List.of()))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            int boxUid = uid.uid();
            String out = outputWithin(p, 30, () -> killAll(boxUid));
            if (out == null || !p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("the sandbox did not start within 30 s");
            }
            if (p.exitValue() != 0 || (python != null && !out.startsWith("ok"))) {
                return Optional.of("the sandbox does not start here (user namespaces off?): " + out.trim());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("the sandbox does not start here: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    String python() {
        return "/usr/bin/python3";
    }

    String java() {
        return javaHome + "/bin/java";
    }

    /** What a Java model's JVM may reserve beyond its heap (its runtime's own reservations made small, ModelRunner). */
    static final long JAVA_ADDRESS_SPACE_OVERHEAD_MB = 1024;

    boolean javaHasForeignFunctions() {
        return Runtime.version().feature() >= 22;
    }

    /** How many processes (threads included) a box of {@code runtime} may have. */
    static int processesFor(String runtime) {
        return runtime.equals("java") ? 256 : 64;
    }

    /**
     * The whole command line of one box: its control groups joined ({@code groupProcs}, the box's own: see
     * {@link BoxGroups}), limits, the switch to {@code uid}, bubblewrap, then {@code program} (paths as seen inside).
     * The seccomp filter is handed over on descriptor 4.
     */
    List<String> command(int uid, String runtime, Path codeDir, int memoryMb, int timeoutSeconds, List<String> program, List<Path> groupProcs) {
        boolean java = runtime.equals("java");
        // A JVM reserves far more address space than it uses: its reservations are made small (ModelRunner: class space,
        // code cache, metaspace, direct memory; two malloc arenas) so that its heap plus a fixed 1 GiB bounds it, native
        // memory included (a model allocating outside the heap, through Unsafe or the foreign memory API, meets the limit).
        // Its own threads (GC, compiler) need room under the process limit and spend CPU time beside the model.
        long addressSpace = ((long) memoryMb + (java ? JAVA_ADDRESS_SPACE_OVERHEAD_MB : 0)) * 1024 * 1024;
        int cpuSeconds = timeoutSeconds * (java ? 2 : 1);
        int files = java ? 256 : 64;
        int processes = processesFor(runtime);
        // The first process joins the box's groups before anything else runs: all it starts is counted there.
        StringBuilder join = new StringBuilder();
        for (Path procs : groupProcs) join.append("echo $$ > '").append(procs).append("' || exit 125; ");
        long fileBytes = 64L << 20;
        List<String> c = new ArrayList<>();
        if (shIsDash) {
            // dash sets the limits itself (every one, or the box does not start): one program less to start per box.
            c.addAll(List.of("/bin/sh", "-c", join + "exec 4<\"$1\" || exit 125; shift; "
                    + (addressSpace > 0 ? "ulimit -v " + addressSpace / 1024 + " && " : "")
                    + "ulimit -t " + cpuSeconds + " && ulimit -n " + files + " && ulimit -f " + fileBytes / 512 + " && ulimit -c 0 && ulimit -p " + processes
                    + " && exec \"$@\"; exit 125", "omix-sandbox", seccompFile.toString()));
        } else {
            c.addAll(List.of("/bin/sh", "-c", join + "exec 4<\"$1\" || exit 125; shift; exec \"$@\"", "omix-sandbox", seccompFile.toString(), "prlimit"));
            if (addressSpace > 0) c.add("--as=" + addressSpace);
            c.addAll(List.of("--cpu=" + cpuSeconds, "--nofile=" + files, "--fsize=" + fileBytes, "--core=0", "--nproc=" + processes, "--"));
        }
        c.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs", "--"));
        c.addAll(List.of("bwrap", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
                "--unshare-cgroup-try", "--disable-userns", "--uid", "1000", "--gid", "1000", "--hostname", "omix-model",
                "--die-with-parent", "--new-session", "--clearenv",
                "--setenv", "PATH", "/usr/bin", "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8"));
        if (java) c.addAll(List.of("--setenv", "MALLOC_ARENA_MAX", "2")); // each malloc arena reserves 64 MiB of the address space
        String libs = multiarchLibDir();
        c.addAll(List.of("--ro-bind", libs, libs));
        if (Files.isDirectory(Path.of("/usr/lib64"))) c.addAll(List.of("--ro-bind", "/usr/lib64", "/usr/lib64"));
        c.addAll(List.of("--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin"));
        if (java) {
            c.addAll(List.of("--ro-bind", javaHome, javaHome));
        } else {
            c.addAll(List.of("--ro-bind", python, python(), "--ro-bind", pythonStdlib.toString(), pythonStdlib.toString()));
        }
        // /dev is a memory-backed file system of bubblewrap's too, owned by the box's user and unbounded: read-only once
        // /dev/shm is mounted in it (a remount of /dev alone: /dev/shm, /dev/pts and the device nodes, mounts of their own,
        // keep working; writing to /dev/null is not writing to /dev's file system).
        // No terminals either: each open of /dev/ptmx takes one of the host's ptys (4,096 less those reserved for the host's
        // own), and a box holding a few thousand descriptors left none for anything else on the machine.
        c.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--ro-bind", "/dev/null", "/dev/pts/ptmx",
                "--size", String.valueOf(TMP_BYTES), "--tmpfs", "/tmp", "--size", String.valueOf(SHM_BYTES), "--tmpfs", "/dev/shm",
                "--remount-ro", "/dev",
                "--ro-bind", codeDir.toString(), "/code", "--ro-bind", runtimeDir.toString(), "/runner"));
        // The host's counters: open files, inodes, cached directory entries and terminals, which any box moves exactly (a
        // hundred files opened and closed); CPU time, load, memory, pressure, interrupts and disks, which it moves by spinning
        // or allocating. Each is a signal from one box to another running at once (an invocation of a person's data telling
        // its author's own invocation what it read). They read as empty (/dev/null); the C library counts the cores through
        // the box's CPU affinity instead of /proc/stat.
        for (String counter : HOST_COUNTERS) c.addAll(List.of("--ro-bind", "/dev/null", counter));
        if (Files.exists(channel)) c.addAll(List.of("--ro-bind", channel.toString(), CHANNEL_IN_BOX));
        // The box's root (a memory-backed file system bubblewrap makes, unbounded) read-only once everything is mounted in
        // it: only /tmp and /dev/shm, each with its size, take writes (before, files written to / held memory no limit saw).
        c.addAll(List.of("--remount-ro", "/"));
        c.addAll(List.of("--chdir", "/tmp", "--seccomp", "4", "--"));
        c.addAll(program);
        return c;
    }

    /**
     * Files of /proc that count what every box on the host moves ({@link #command}): those this kernel has, looked for once
     * (a bind onto a file that is not there fails the box).
     */
    static final List<String> HOST_COUNTERS = java.util.stream.Stream.of("/proc/sys/fs/file-nr", "/proc/sys/fs/inode-nr",
            "/proc/sys/fs/inode-state", "/proc/sys/fs/dentry-state", "/proc/sys/kernel/pty/nr", "/proc/sys/fs/aio-nr",
            "/proc/sys/kernel/random/entropy_avail", "/proc/stat", "/proc/loadavg", "/proc/uptime", "/proc/meminfo", "/proc/vmstat",
            "/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io", "/proc/pressure/irq", "/proc/interrupts", "/proc/softirqs",
            "/proc/schedstat", "/proc/diskstats", "/proc/buddyinfo", "/proc/zoneinfo", "/proc/swaps", "/proc/locks", "/proc/cgroups",
            "/proc/key-users").filter(p -> Files.exists(Path.of(p))).toList();

    private static String multiarchLibDir() {
        String arch = System.getProperty("os.arch");
        String triplet = arch.equals("aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        return "/usr/lib/" + triplet;
    }

    /**
     * Where the uid leases of every server on this machine are: /run/lock, one for all, whatever temporary
     * directory each server was given (systemd's PrivateTmp gives each its own, and two servers could then
     * lease one uid). A server that is not root builds no box, so its leases go nowhere that matters.
     */
    static Path uidLockDir() {
        Path shared = Path.of("/run/lock");
        return isRoot() && Files.isDirectory(shared) ? shared.resolve("omix-sandbox-uids") : Path.of(System.getProperty("java.io.tmpdir"), "omix-sandbox-uids");
    }

    /**
     * Why {@code dir} (the uid leases' directory, under /run/lock which every user may write to) is not the server's
     * own: a directory someone else made there first (a link, or one of theirs) would let them plant links the server
     * follows as root, remove leases in use (two boxes then share a uid) or hold every lease. Null when it is.
     */
    static String notOwnDirectory(Path dir) throws IOException {
        java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isDirectory() || !io.omix.server.common.io.FileTrees.ownedByThisProcess(dir)) {
            return "the sandbox's uid lease directory " + dir + " is not the server's own (a link, or another user's: " + a.owner().getName()
                    + "); remove it and start again";
        }
        return null;
    }

    /**
     * The uids leased in this process, by any server in it. Their lock files are never opened again while leased: the locks
     * are the kernel's record locks, which closing any descriptor of the file drops for the whole process, so a second
     * look at a uid held here (refused by the JVM, then closed) set the running box's uid free for another server on the
     * machine, which then killed that box and ran its own as the uid.
     */
    private static final java.util.Set<Integer> LEASED_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** How many uids this process holds now (tests: a box not started gives its uid back). */
    static int leasedHere() {
        return LEASED_HERE.size();
    }

    /** Takes a host uid that no other box of any server on this machine holds, until closed. */
    UidLease lease() {
        return lease(ThreadLocalRandom.current().nextInt(UID_SLOTS));
    }

    /** {@link #lease()}, looking from slot {@code start} on (tests). */
    UidLease lease(int start) {
        for (int i = 0; i < UID_SLOTS; i++) {
            int uid = UID_BASE + (start + i) % UID_SLOTS;
            if (!LEASED_HERE.add(uid)) continue;   // this process's own box has it
            FileChannel file = null;
            boolean leased = false;
            try {
                file = FileChannel.open(uidLocks.resolve(uid + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                FileLock lock = file.tryLock();
                if (lock != null) {
                    // Anything left under this uid is a crashed server's box: nobody else may run as it now.
                    killAll(uid);
                    leased = true;
                    return new UidLease(uid, file, lock);
                }
                file.close();
            } catch (OverlappingFileLockException held) {
                closeQuietly(file); // cannot happen now (LEASED_HERE): the JVM's own table says so all the same
            } catch (IOException e) {
                closeQuietly(file);
                throw new UncheckedIOException("cannot take a sandbox uid", e);
            } finally {
                if (!leased) LEASED_HERE.remove(uid);
            }
        }
        throw new IllegalStateException("every sandbox uid is in use");
    }

    /**
     * Kills every process running as host {@code uid} (each box has a uid of its own). A box's processes
     * die with its bubblewrap ({@code --die-with-parent}), except when the bubblewrap is killed before its
     * child has asked to die with it: that child, the box's first process, was once found sleeping for
     * good, adopted by init, under a uid the next box would have shared.
     */
    static void killAll(int uid) {
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) processes::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) continue;
                // The handle first, the uid second: the handle knows the process's start time, so a number reused
                // by another process in between is not killed.
                Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(name));
                if (process.isPresent() && realUid(p.resolve("status")) == uid) process.get().destroyForcibly();
            }
        } catch (IOException | RuntimeException e) {
            // /proc is there wherever bubblewrap is; a box that cannot be looked for is one the uid's next holder meets again
            org.slf4j.LoggerFactory.getLogger(Sandbox.class).warn("cannot look for leftover processes of sandbox uid {}: {}", uid, e.toString());
        }
    }

    /** The real uid in a /proc status file; -1 when the process is gone. */
    private static long realUid(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException gone) {
            // exited while listed
        }
        return -1;
    }

    private static void closeQuietly(FileChannel file) {
        if (file == null) return;
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing held
        }
    }

    /** A host uid held for one box; released when the box's processes are gone. */
    static final class UidLease implements AutoCloseable {
        private final int uid;
        private final FileChannel file;
        private final FileLock lock;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        UidLease(int uid, FileChannel file, FileLock lock) {
            this.uid = uid;
            this.file = file;
            this.lock = lock;
        }

        int uid() {
            return uid;
        }

        /** Kills what still runs as the uid, then lets another box take it. */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;   // once: a second close must not free the uid another box leased since
            killAll(uid);
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            closeQuietly(file);
            LEASED_HERE.remove(uid);
        }
    }

    private static void writeRunners(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path javaRunner = dir.resolve("io/omix/server/models/JavaModelRunner.class");
        Files.createDirectories(javaRunner.getParent());
        copy("runner.py", dir.resolve("runner.py"));
        copy("JavaModelRunner.class", javaRunner);
        try (var all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                if (p.getFileName().toString().equals("seccomp.bpf")) continue;
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = Sandbox.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing resource " + resource);
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isDash() {
        try {
            return Path.of("/bin/sh").toRealPath().getFileName().toString().equals("dash");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static Optional<Path> which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * All {@code p} writes, or null when it has not ended within {@code seconds}: it is then killed (and {@code alsoKill}
     * run), which ends the read. The read came before the wait for its end, whose deadline a process that kept its
     * output open never reached: the server's one check of its sandbox, and every model request waiting on it, hung.
     */
    static String outputWithin(Process p, int seconds, Runnable alsoKill) throws IOException {
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            if (p.isAlive()) {
                late.set(true);   // before the kills, which end the read
                alsoKill.run();
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, java.util.concurrent.CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return late.get() ? null : out;
    }

    private static String output(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = outputWithin(p, 10, () -> {});
        if (out == null) throw new IOException("did not end within 10 s");
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return out;
    }
}
