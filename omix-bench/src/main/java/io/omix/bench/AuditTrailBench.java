package io.omix.bench;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.audit.AuditLog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The audit trail alone: what recording an entry costs the request that records it, and what
 * appending it to the chain costs the mover, in CPU microseconds an entry ({@link ThreadCpu}), a
 * figure that the machine's other load moves far less than it moves a light read's rate. One server
 * on the embedded defaults; threads record entries as a user token's {@code GET /samples/{id}} does, at
 * the rate a light read reaches under wrk on this machine (the mover's blocks are then the size they are
 * in that load), for a number of seconds, each round; then what the blocks take on disk.
 * Usage: java -cp omix-bench.jar io.omix.bench.AuditTrailBench [seconds=10] [threads=8] [rounds=3] [entries a second=12000]
 */
public final class AuditTrailBench {
    private AuditTrailBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 12_000;
        long nanosApart = 1_000_000_000L * threads / rate;
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir",
                BenchServer.scratchDir("omix-audit-bench-").toString(), "demo.enabled", "false")))) {
            AuditLog audit = server.platform().audit();
            for (int round = 0; round <= rounds; round++) {
                LongAdder recorded = new LongAdder();
                AtomicBoolean stop = new AtomicBoolean();
                ThreadCpu before = ThreadCpu.now();
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int writer = t;
                    Thread w = new Thread(() -> {
                        long n = 0;
                        long next = System.nanoTime();
                        while (!stop.get()) {
                            next += nanosApart;
                            long wait = next - System.nanoTime();
                            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            // As AuditRecorder makes a user token's sample read: the path's id, the address, a request id.
                            audit.record(AuditLog.Entry.of("client", "2f1c0b7e-6a2d-4d7e-9c1a-5b3e8f0a1d2c", "118202511230000000" + writer,
                                    "user_token", "GET /samples/{biosample_id}", "biosample_id=E-B4164420480" + writer, null, "127.0.0.1",
                                    Long.toHexString(System.nanoTime()) + Long.toHexString(n++), "200 -"));
                            recorded.increment();
                        }
                    }, "audit-writer-" + t);
                    w.start();
                    writers.add(w);
                }
                Thread.sleep(seconds * 1000L);
                // Before the writers end (a thread that ended is gone from /proc); the mover's last quarter second is left out.
                ThreadCpu after = ThreadCpu.now();
                long n = recorded.sum();
                stop.set(true);
                for (Thread w : writers) w.join();
                audit.flush();
                System.out.printf("%s %,d entries, %,.0f a second; %s%n", round == 0 ? "warm-up:" : "round " + round + ":", n, n / (double) seconds,
                        after.perRequest(before, n).replace("server CPU per request", "CPU per entry").replace("requests", "recording"));
            }
            // What the blocks take on disk (H2's own count of the table's pages as written, compressed).
            var jdbc = server.platform().database().jdbc();
            long entries = jdbc.query("SELECT COALESCE(SUM(entry_count), 0) FROM audit_blocks", rs -> rs.getLong(1)).get(0);
            long bytes = jdbc.query("SELECT DISK_SPACE_USED('audit_blocks')", rs -> rs.getLong(1)).get(0);
            System.out.printf("audit_blocks: %,d entries in %,d bytes on disk, %.1f bytes an entry%n", entries, bytes, bytes / (double) Math.max(1, entries));
        }
    }
}
