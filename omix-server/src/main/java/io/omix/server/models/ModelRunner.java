package io.omix.server.models;

import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one model invocation in its own OS process: a fresh empty working directory, an environment
 * with nothing of the server's, limits on address space, CPU time, open files and processes
 * ({@code prlimit}), a wall-clock limit, capped output. When the server runs as root the model runs
 * as {@code nobody} ({@code setpriv}), so the server's data directory (mode 0700) is out of its reach,
 * inside a PID namespace ({@code unshare}) so that nothing it forks outlives it.
 */
final class ModelRunner {
    static final int MAX_RESULT_BYTES = 1 << 20;
    static final int MAX_LOG_BYTES = 4 << 20;
    private static final int KEPT_LOG_CHARS = 4000;
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "omix-model-output");
        t.setDaemon(true);
        return t;
    });

    private final Path runner;
    private final Path work;
    private final String python;

    ModelRunner(Path scratch) {
        try {
            Files.createDirectories(scratch);
            this.work = scratch;
            this.runner = scratch.resolve("runner.py");
            try (InputStream in = ModelRunner.class.getResourceAsStream("runner.py")) {
                Files.copy(in, runner, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rw-r--r--"));
            // The java runtime's runner: one class, on a class path of its own (none of the server's classes).
            Path javaRunner = javaRunnerDir().resolve("io/omix/server/models/JavaModelRunner.class");
            Files.createDirectories(javaRunner.getParent());
            try (InputStream in = ModelRunner.class.getResourceAsStream("JavaModelRunner.class")) {
                Files.copy(in, javaRunner, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (Stream<Path> all = Files.walk(javaRunnerDir())) {
                for (Path p : all.toList()) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the model runner under " + scratch, e);
        }
        this.python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    record Limits(int memoryMb, int timeoutSeconds) {}

    private Path javaRunnerDir() {
        return work.resolve("java-runner");
    }

    /** The runtimes a model may name. */
    static final java.util.Set<String> RUNTIMES = java.util.Set.of("python3", "java");

    /** The model's answer, a JSON object's text; the API error of its failure otherwise. */
    String run(String runtime, Path codeDir, String handler, String event, String requestId, Limits limits) {
        Path dir;
        try {
            dir = Files.createTempDirectory(work, "run-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return runIn(runtime, dir, codeDir, handler, event, requestId, limits);
        } finally {
            deleteTree(dir);
        }
    }

    private String runIn(String runtime, Path dir, Path codeDir, String handler, String event, String requestId, Limits limits) {
        boolean java = runtime.equals("java");
        List<String> command = new ArrayList<>();
        if (ROOT) command.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--"));
        command.add("prlimit");
        // A JVM reserves far more address space than it uses: its heap is capped by -Xmx instead, and
        // its own threads (GC, compiler) need room under the process limit and spend CPU time beside the model.
        if (!java) command.add("--as=" + (long) limits.memoryMb() * 1024 * 1024);
        command.addAll(List.of("--cpu=" + limits.timeoutSeconds() * (java ? 2 : 1), "--nofile=" + (java ? 256 : 64), "--fsize=" + (64L << 20),
                "--core=0", "--nproc=" + (java ? 1024 : ROOT ? 64 : 256), "--"));
        if (ROOT) command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        if (java) {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + limits.memoryMb() + "m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss1m", "-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir,
                    "-cp", javaRunnerDir().toString(), JavaModelRunner.class.getName(), codeDir.toString(), handler, requestId));
        } else {
            command.addAll(List.of(python, "-I", runner.toString(), codeDir.toString(), handler, requestId));
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.clear(); // nothing of the server's environment: no secrets, no database URL
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("TMPDIR", dir.toString());
        env.put("LANG", "C.UTF-8");
        Process process;
        long started = System.nanoTime();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the model process: " + e.getMessage(), e);
        }
        // Each output on a thread of its own: a reader blocked on one pipe must never stall the other.
        CompletableFuture<Capped> stdout = CompletableFuture.supplyAsync(() -> Capped.read(process.getInputStream(), MAX_RESULT_BYTES), READERS);
        CompletableFuture<Capped> stderr = CompletableFuture.supplyAsync(() -> Capped.read(process.getErrorStream(), MAX_LOG_BYTES), READERS);
        try (OutputStream in = process.getOutputStream()) {
            in.write(event.getBytes(StandardCharsets.UTF_8));
        } catch (IOException modelClosedItsInput) {
            // the model does not read its event: fine
        }
        boolean finished;
        try {
            // Until the process ends, its time is up, or it floods its output (which ends the run at once).
            long deadline = started + TimeUnit.SECONDS.toNanos(limits.timeoutSeconds());
            finished = false;
            while (!finished && System.nanoTime() < deadline && !flooded(stdout) && !flooded(stderr)) {
                finished = process.waitFor(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new IllegalStateException("interrupted while a model ran");
        }
        if (!finished) kill(process);
        Capped result = stdout.join();
        Capped log = stderr.join();
        if (result.overflow || log.overflow) {
            kill(process);
            throw new ApiException(ErrorCode.MODEL_OUTPUT_TOO_LARGE, Map.of("limit", result.overflow ? "1 MiB of result" : "4 MiB of log output"));
        }
        if (!finished) throw new ApiException(ErrorCode.MODEL_TIMEOUT, Map.of("timeout", limits.timeoutSeconds()));
        int exit = process.exitValue();
        String tail = log.tail();
        if (exit == 0) return result.text();
        if (exit == 13 || tail.contains("java.lang.OutOfMemoryError")) throw new ApiException(ErrorCode.MODEL_MEMORY_EXCEEDED, Map.of("memory_size", limits.memoryMb()));
        if (exit == 11 || exit == 14) throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("stderr", tail));
        // Any other end is a death by signal (its code differs through unshare and prlimit): the CPU-time
        // limit when the run lasted about as long as its timeout, a crash otherwise.
        long ranMillis = (System.nanoTime() - started) / 1_000_000;
        if (ranMillis >= limits.timeoutSeconds() * 1000L - 500) throw new ApiException(ErrorCode.MODEL_TIMEOUT, Map.of("timeout", limits.timeoutSeconds()));
        throw new ApiException(ErrorCode.MODEL_FAILED, Map.of("exit_code", exit, "stderr", tail.isEmpty() ? "killed by a signal" : tail));
    }

    private static boolean flooded(CompletableFuture<Capped> output) {
        return output.isDone() && output.join().overflow;
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        try {
            ModelPackage.deleteTree(dir);
        } catch (IOException ignored) {
            // a scratch directory; the next start of the server clears the rest
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

        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String tail() {
            String t = text();
            return t.length() <= KEPT_LOG_CHARS ? t : t.substring(t.length() - KEPT_LOG_CHARS);
        }
    }
}
