package io.omix.server.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A box as its model meets it, on this machine's kernel: only /tmp and /dev/shm take writes (not its root, not /dev);
 * the seccomp filter's answers for the calls through which boxes could signal to each other over the files they all
 * share (locks, inotify, page-cache probes), for socket families and protocols, and for calls newer than its review.
 * A JVM starts under it and its model's file locks are refused; the runner's own first line is not in its owner's view.
 */
class BoxConfinementTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Only the standard library: each probe's errno (0: it worked), as the kernel answered in the box. */
    private static final String PROBE = String.join("\n",
            "import ctypes, errno, os, socket",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "libc.syscall.restype = ctypes.c_long",
            "def err(nr, *args):",
            "    ctypes.set_errno(0)",
            "    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])",
            "    return 0 if r >= 0 else ctypes.get_errno()",
            "def write(path):",
            "    try:",
            "        with open(path, 'w') as f:",
            "            f.write('x')",
            "        return 'written'",
            "    except OSError as x:",
            "        return errno.errorcode.get(x.errno, str(x.errno))",
            "def read(path):",
            "    try:",
            "        with open(path) as f:",
            "            return f.read()",
            "    except OSError as x:",
            "        return errno.errorcode.get(x.errno, str(x.errno))",
            "def mkdir(path):",
            "    try:",
            "        os.mkdir(path)",
            "        return 'made'",
            "    except OSError as x:",
            "        return errno.errorcode.get(x.errno, str(x.errno))",
            "def handler(event, context):",
            "    out = {'dev': write('/dev/x'), 'dev_dir': mkdir('/dev/d'), 'root': write('/outside-tmp'), 'tmp': write('/tmp/x'),",
            "           'shm': write('/dev/shm/x'), 'null': write('/dev/null')}",
            "    code = os.open('/code/index.py', os.O_RDONLY)",
            "    top = os.open('/code', os.O_RDONLY)",
            "    out['flock'] = err(73, code, 2)",                       // LOCK_EX
            "    out['getfd'] = err(72, code, 1)",                       // F_GETFD
            "    out['setfl'] = err(72, code, 4, 0)",                    // F_SETFL
            "    out['setlk'] = err(72, code, 6, 0)",                    // F_SETLK
            "    out['getlk'] = err(72, code, 5, 0)",                    // F_GETLK
            "    out['ofd_setlkw'] = err(72, code, 38, 0)",              // F_OFD_SETLKW
            "    out['setlease'] = err(72, code, 1024, 1)",              // F_SETLEASE
            "    out['notify'] = err(72, top, 1026, 0x80000001)",        // F_NOTIFY (dnotify)
            "    out['inotify'] = err(294, 0)",                          // inotify_init1
            "    out['mincore'] = err(27, 0, 4096, 0)",
            "    out['cachestat'] = err(451, code, 0, 0, 0)",
            "    out['fadvise'] = err(221, code, 0, 0, 4)",             // POSIX_FADV_DONTNEED
            "    out['readahead'] = err(187, code, 0, 4096)",
            "    out['preadv2'] = err(327, code, 0, 0, 0, 0, 8)",        // RWF_NOWAIT
            "    out['io_setup'] = err(206, 65536, 0)",
            "    out['counters'] = [read(p) for p in ['/proc/sys/fs/file-nr', '/proc/sys/fs/inode-nr', '/proc/sys/fs/inode-state',"
                    + " '/proc/sys/fs/dentry-state', '/proc/sys/kernel/pty/nr', '/proc/sys/fs/aio-nr', '/proc/stat', '/proc/loadavg',"
                    + " '/proc/uptime', '/proc/meminfo', '/proc/vmstat', '/proc/pressure/cpu', '/proc/pressure/memory', '/proc/pressure/io',"
                    + " '/proc/interrupts', '/proc/softirqs', '/proc/diskstats', '/proc/buddyinfo', '/proc/zoneinfo', '/proc/cgroups']]",
            "    out['cpus'] = os.cpu_count()",
            "    out['modify_ldt'] = err(154, 0, 0, 0)",
            "    out['open_tree_attr'] = err(467, -100, 0, 0, 0, 0)",
            "    out['newer'] = err(468, -100, 0, 0, 0, 0)",             // file_getattr (Linux 6.17): newer than the review
            "    out['packet'] = err(41, 17, 3, 0)",                     // AF_PACKET
            "    out['vsock'] = err(41, 40, 1, 0)",
            "    out['icmp'] = err(41, 2, 2, 1)",                        // AF_INET, SOCK_DGRAM, IPPROTO_ICMP
            "    out['tcp'] = err(41, 2, 1, 0)",
            "    out['udp'] = err(41, 2, 2, 17)",
            "    out['unix'] = err(41, 1, 1, 0)",
            "    out['netlink_route'] = err(41, 16, 3, 0)",
            "    out['netlink_diag'] = err(41, 16, 3, 4)",               // NETLINK_SOCK_DIAG
            "    out['interfaces'] = [n for _, n in socket.if_nameindex()]",
            "    return {'model_code': 0, 'model_msg': 'ok', 'model_data': out}",
            "");

    private static Sandbox sandbox(Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Sandbox sandbox = Sandbox.prepare(tmp.resolve(".runtime"), tmp.resolve(".channel").resolve("api.sock"), "/usr/bin/python3");
        Assumptions.assumeTrue(sandbox.selfTest().isEmpty(), "no model sandbox on this host: " + sandbox.selfTest().orElse(""));
        return sandbox;
    }

    /** A directory the box's user can read: {@code rwxr-xr-x} down to its files' {@code rw-r--r--}. */
    private static void readableByBoxes(Path dir) throws Exception {
        try (var all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    @Test
    void aBoxWritesOnlyToItsTmpfsAndTheFilterAnswersAsReviewed(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        Path code = Files.createDirectories(tmp.resolve("m").resolve("1"));
        Files.writeString(code.resolve("index.py"), PROBE);
        readableByBoxes(tmp.resolve("m"));
        ModelRunner.Spec spec = new ModelRunner.Spec("m", 1, "python3", code, "index.handler", new ModelRunner.Limits(128, 30));
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 1024)) {
            Assumptions.assumeTrue(runner.unavailable().isEmpty(), "no control groups for model boxes on this host");
            JsonNode seen = JSON.readTree(runner.run(spec, false, "{}", "r-1", "app-a")).get("model_data");

            assertEquals("EROFS", seen.get("dev").asText(), "/dev is read-only: " + seen);
            assertEquals("EROFS", seen.get("dev_dir").asText());
            assertEquals("EROFS", seen.get("root").asText(), "and the box's root");
            assertEquals("written", seen.get("tmp").asText(), "/tmp takes writes");
            assertEquals("written", seen.get("shm").asText(), "/dev/shm, a mount of its own under /dev, too");
            assertEquals("written", seen.get("null").asText(), "and the device nodes still work");

            for (String denied : List.of("flock", "setlk", "getlk", "ofd_setlkw", "setlease", "notify", "inotify", "mincore", "cachestat",
                    "modify_ldt", "open_tree_attr", "fadvise", "readahead")) {
                assertEquals(SeccompFilter.EPERM, seen.get(denied).asInt(), denied + " is refused with EPERM: " + seen);
            }
            assertEquals(SeccompFilter.ENOSYS, seen.get("preadv2").asInt(), "an RWF_NOWAIT read probes the page cache: not there");
            assertEquals(SeccompFilter.ENOSYS, seen.get("io_setup").asInt(), "the kernel's AIO: not there");
            for (JsonNode counter : seen.get("counters")) {
                assertTrue(!counter.asText().matches("(?s).*\\d.*"), "the host's counts of open files, inodes, directory entries,"
                        + " terminals, CPU time, load, memory and interrupts, which another box moves, cannot be read: " + seen.get("counters"));
            }
            assertTrue(seen.get("cpus").asInt() >= 1, "the cores are still counted: " + seen.get("cpus"));
            assertEquals(0, seen.get("getfd").asInt(), "fcntl's other commands work");
            assertEquals(0, seen.get("setfl").asInt());
            assertEquals(SeccompFilter.ENOSYS, seen.get("newer").asInt(), "a call newer than the filter's review is not there");
            assertEquals(SeccompFilter.EAFNOSUPPORT, seen.get("packet").asInt(), "packet sockets");
            assertEquals(SeccompFilter.EAFNOSUPPORT, seen.get("vsock").asInt(), "vsock");
            assertEquals(SeccompFilter.EPROTONOSUPPORT, seen.get("icmp").asInt(), "IPv4 takes TCP and UDP only");
            assertEquals(SeccompFilter.EPROTONOSUPPORT, seen.get("netlink_diag").asInt(), "netlink takes its routing protocol only");
            for (String allowed : List.of("tcp", "udp", "unix", "netlink_route")) assertEquals(0, seen.get(allowed).asInt(), allowed);
            assertEquals("[\"lo\"]", seen.get("interfaces").toString(), "the C library reads the box's interfaces through netlink");
        }
    }

    /** A model class compiled here for Java 17 into {@code code}: its handler tries a file lock, its other method fails. */
    private static void javaModel(Path code) throws Exception {
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        Assumptions.assumeTrue(javac != null, "a JDK runs the tests");
        Path src = Files.createDirectories(code.getParent().resolve("src").resolve("demo"));
        Files.writeString(src.resolve("Locks.java"), String.join("\n",
                "package demo;",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.*;",
                "public final class Locks {",
                "  public static Object handler(String event) {",
                "    String lock;",
                "    try (FileChannel f = FileChannel.open(Path.of(\"/tmp/f\"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {",
                "      f.lock();",
                "      lock = \"locked\";",
                "    } catch (java.io.IOException e) {",
                "      lock = e.getClass().getSimpleName();",
                "    }",
                "    String dev;",
                "    try {",
                "      Files.writeString(Path.of(\"/dev/x\"), \"x\");",
                "      dev = \"written\";",
                "    } catch (java.io.IOException e) {",
                "      dev = e.getClass().getSimpleName();",
                "    }",
                "    return (\"{'model_code':0,'model_msg':'ok','model_data':{'lock':'\" + lock + \"','dev':'\" + dev + \"'}}\").replace((char) 39, (char) 34);",
                "  }",
                "  public static Object fails(String event) {",
                "    throw new IllegalStateException(\"boom\");",
                "  }",
                "}", ""));
        Files.createDirectories(code);
        assertEquals(0, javac.run(null, null, null, "--release", "17", "-d", code.toString(), src.resolve("Locks.java").toString()));
        readableByBoxes(code.getParent());
    }

    @Test
    void aJvmStartsUnderTheFilterAndItsModelsLocksAreRefused(@TempDir Path tmp) throws Exception {
        Sandbox sandbox = sandbox(tmp);
        Path code = tmp.resolve("j").resolve("1");
        javaModel(code);
        ModelRunner.Spec locks = new ModelRunner.Spec("j", 1, "java", code, "demo.Locks.handler", new ModelRunner.Limits(256, 60));
        ModelRunner.Spec fails = new ModelRunner.Spec("j", 1, "java", code, "demo.Locks.fails", new ModelRunner.Limits(256, 60));
        try (ModelRunner runner = new ModelRunner(sandbox, 0, 4096)) {
            Assumptions.assumeTrue(runner.unavailable().isEmpty(), "no control groups for model boxes on this host");
            JsonNode seen = JSON.readTree(runner.run(locks, false, "{}", "r-1", "app-a")).get("model_data");
            assertEquals("IOException", seen.get("lock").asText(), "a file lock is refused (EPERM): " + seen);
            assertNotEquals("written", seen.get("dev").asText(), "/dev is read-only");

            ApiException failed = assertThrows(ApiException.class, () -> runner.run(fails, false, "{}", "r-2", "app-a"));
            assertEquals(ErrorCode.MODEL_FAILED, failed.error());
            String stderr = String.valueOf(((Map<?, ?>) failed.data()).get("stderr"));
            assertTrue(stderr.contains("boom"), stderr);
            assertFalse(stderr.contains(JavaModelRunner.STARTED), "the runner's first line is not the owner's to read: " + stderr);
        }
    }
}
