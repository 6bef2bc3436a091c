package io.omix.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code omix admin aot-train}: the workload runs end to end on a server of its own and leaves
 * nothing behind; on JDK 25 the JVM records a cache from it that a later JVM starts with.
 */
class AotTrainTest {
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @Test
    void theWorkloadRunsEveryPhaseAndRemovesItsServer() throws IOException {
        Set<Path> before = trainingDirs();
        AdminAndLoginTest.Run run = AdminAndLoginTest.omix("admin", "aot-train", "--vcf-records", "2000", "--transfer-mib", "1", "--calls", "20");
        assertEquals(0, run.exit(), run.err());
        for (String phase : new String[] {"server started with demo data", "a VCF of 2000 records imported twice",
                "20 get_sample and get_variants calls", "1 MiB uploaded and downloaded", "2 stream writes of 100 records, each read back"}) {
            assertTrue(run.out().contains(phase), "phase '" + phase + "' in:\n" + run.out());
        }
        // This test's JVM records no cache, and says so instead of pretending.
        assertTrue(run.out().startsWith("This JVM records no ahead-of-time cache"), run.out());
        assertTrue(run.out().strip().endsWith("Done."), run.out());
        assertEquals(before, trainingDirs(), "the throwaway server's directory is removed");
    }

    @Test
    void aSizeBelowOneOrBeyondTheFreeSpaceIsRefusedNamingTheOption() throws IOException {
        AdminAndLoginTest.Run run = AdminAndLoginTest.omix("admin", "aot-train", "--calls", "0");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("omix: --vcf-records, --transfer-mib and --calls must be at least 1"), run.err());
        Set<Path> before = trainingDirs();
        AdminAndLoginTest.Run huge = AdminAndLoginTest.omix("admin", "aot-train", "--transfer-mib", "2000000000");
        assertEquals(2, huge.exit());
        assertTrue(huge.err().contains("which a training with --transfer-mib 2000000000 needs; give a smaller --transfer-mib"), huge.err());
        assertEquals(before, trainingDirs(), "refused before anything was created");
    }

    /** Stopped by a signal halfway, it still removes its server's directory (database, master key, large files). */
    @Test
    void aStopSignalRemovesTheThrowawayServer() throws Exception {
        Path log = Files.createTempFile("omix-aot-stop-", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process training = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.omix.cli.Omix",
                "admin", "aot-train", "--vcf-records", "200000", "--transfer-mib", "64", "--calls", "100000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path dir = null;
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < until) {
                // Past start-up: the server's directory holds its database once the first phase is printed.
                String text = Files.readString(log);
                Matcher m = Pattern.compile("A throwaway server in (\\S+) ").matcher(text);
                if (m.find() && text.contains("server started with demo data")) {
                    dir = Path.of(m.group(1));
                    break;
                }
                assertTrue(training.isAlive(), text);
                Thread.sleep(100);
            }
            assertTrue(dir != null && Files.isDirectory(dir), Files.readString(log));
            new ProcessBuilder("kill", "-TERM", String.valueOf(training.pid())).start().waitFor();
            assertTrue(training.waitFor(1, TimeUnit.MINUTES), "stops on SIGTERM");
            assertTrue(!Files.exists(dir), "removed on the way out: " + dir + "\n" + Files.readString(log));
        } finally {
            training.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** What docs/operations.md tells operators to run, on the JDK that CI builds with. */
    @Test
    void aJdk25RecordsACacheThatALaterJvmStartsWith() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "ahead-of-time caches from a training run need JDK 25");
        Path work = Files.createTempDirectory("omix-aot-test-");
        try {
            // The JDK archives classes from JAR files only: the build's class directories are packed first.
            String classPath = jarsOnly(work);
            Path cache = work.resolve("omix.aot");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process training = new ProcessBuilder(java, "-XX:AOTCacheOutput=" + cache, "-Xlog:aot=error", "-cp", classPath, "io.omix.cli.Omix",
                    "admin", "aot-train", "--vcf-records", "2000", "--transfer-mib", "1", "--calls", "20")
                    .redirectErrorStream(true).redirectOutput(work.resolve("training.log").toFile()).start();
            try {
                assertTrue(training.waitFor(5, TimeUnit.MINUTES), "training finishes");
            } finally {
                training.destroyForcibly(); // a server of its own: never left running by a failed test
            }
            String log = Files.readString(work.resolve("training.log"));
            assertEquals(0, training.exitValue(), log);
            assertTrue(log.contains("Done: the JVM writes its cache as it exits."), log);
            assertTrue(Files.size(cache) > 1 << 20, "a cache was written: " + log);

            // AOTMode=on: the JVM fails instead of running without the cache when it cannot use it.
            AdminAndLoginTest.Run withCache = version(java, classPath, "-XX:AOTMode=on", "-XX:AOTCache=" + cache);
            assertEquals(0, withCache.exit(), withCache.out());
            assertTrue(withCache.out().contains("omix "), withCache.out());
            assertTrue(Files.readString(AotCacheCheck.stampOf(cache.toString())).contains(".jar "), "the stamp names the jars");

            // Another build under the same name: the JVM would run the cached classes; omix refuses.
            Path firstJar = Path.of(classPath.split(File.pathSeparator)[0]);
            try (FileSystem zip = FileSystems.newFileSystem(firstJar)) {
                Files.writeString(zip.getPath("another-build.txt"), "changed");
            }
            AdminAndLoginTest.Run stale = version(java, classPath, "-XX:AOTCache=" + cache);
            assertEquals(2, stale.exit(), stale.out());
            assertTrue(stale.out().contains("was recorded from another build of omix"), stale.out());

            // No stamp: nothing says which build the cache is from; refused too.
            Files.delete(AotCacheCheck.stampOf(cache.toString()));
            AdminAndLoginTest.Run unstamped = version(java, classPath, "-XX:AOTCache=" + cache);
            assertEquals(2, unstamped.exit(), unstamped.out());
            assertTrue(unstamped.out().contains("has no omix.aot.classpath-sha256 beside it"), unstamped.out());
        } finally {
            io.omix.server.common.io.FileTrees.deleteQuietly(work);
        }
    }

    /** {@code omix --version} in a JVM of its own with {@code jvmOptions}: its exit code and its output (both streams). */
    private static AdminAndLoginTest.Run version(String java, String classPath, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classPath, "io.omix.cli.Omix", "--version"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "omix --version answers");
        return new AdminAndLoginTest.Run(p.exitValue(), out, "");
    }

    private static Set<Path> trainingDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(TMP)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("omix-aot-train-")).collect(Collectors.toSet());
        }
    }

    /** This test's class path with each directory packed into a JAR under {@code work}. */
    private static String jarsOnly(Path work) throws IOException {
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) {
                entries.add(entry);
                continue;
            }
            Path jar = work.resolve("classes-" + n++ + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(path)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
