package io.omix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads by kind, read from {@code /proc/self/task} (Linux; clock ticks of
 * 10 ms): what a slice of load cost the server per request, a figure that the load generator's share
 * of the cores moves far less than it moves a rate. Kinds: the audit trail's mover, the JIT compilers,
 * the collector, the benchmark's own main thread, and every other thread of the server (the threads
 * requests run on, the I/O poller, the store's maintenance: "requests", their kernel time apart).
 */
final class ThreadCpu {
    private static final double MICROS_A_TICK = 10_000;
    private static final List<String> KINDS = List.of("requests", "audit mover", "JIT", "GC", "main");

    /** One thread's kind and its user and kernel ticks. */
    private record Task(String kind, long user, long system) {}

    private final Map<String, Task> tasks;

    private ThreadCpu(Map<String, Task> tasks) {
        this.tasks = tasks;
    }

    /** The CPU time of every thread now; null where /proc is not there to read. */
    static ThreadCpu now() {
        Map<String, Task> tasks = new HashMap<>();
        try (Stream<Path> listing = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) listing::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                String kind = name.equals("omix-audit") ? "audit mover" : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") ? "JIT"
                        : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread") ? "GC"
                        : name.equals("java") ? "main" : "requests";
                tasks.put(task.getFileName().toString(), new Task(kind, Long.parseLong(fields[11]), Long.parseLong(fields[12])));
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new ThreadCpu(tasks);
    }

    /** Microseconds of CPU per request from {@code before} to this, in all and by kind, as one line. */
    String perRequest(ThreadCpu before, long requests) {
        Map<String, long[]> byKind = new LinkedHashMap<>();
        for (String kind : KINDS) byKind.put(kind, new long[2]);
        for (Map.Entry<String, Task> e : tasks.entrySet()) {
            Task was = before.tasks.getOrDefault(e.getKey(), new Task(e.getValue().kind(), 0, 0));
            long[] sum = byKind.get(e.getValue().kind());
            sum[0] += e.getValue().user() - was.user();
            sum[1] += e.getValue().system() - was.system();
        }
        double total = 0;
        StringBuilder parts = new StringBuilder();
        for (Map.Entry<String, long[]> e : byKind.entrySet()) {
            double all = (e.getValue()[0] + e.getValue()[1]) * MICROS_A_TICK / requests;
            total += all;
            parts.append(String.format(", %s %.1f", e.getKey(), all));
            if (e.getKey().equals("requests")) parts.append(String.format(" (kernel %.1f)", e.getValue()[1] * MICROS_A_TICK / requests));
        }
        return String.format("server CPU per request %.1f us%s", total, parts);
    }
}
