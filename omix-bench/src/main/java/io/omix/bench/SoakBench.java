package io.omix.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The soak of the operations issue: a real {@code omix serve} on the embedded defaults (its own
 * process, demo data, access tokens living 60 s and housekeeping every minute so that expired grants
 * go), under the mixed load in steady mode (token grants, reads, stream writes cycling over a fixed
 * window of times, so the stream data stops growing after the first minutes; tokens are kept a day
 * past expiry and audit entries for years, so those grow, as they would in production). Every minute:
 * calls/s, p50/p99, the server's resident memory, the database file, the rows that grow, and the file's
 * bytes per row (which must not trend upward: the file tracks the live data, not garbage).
 * Usage: java -cp omix-bench.jar io.omix.bench.SoakBench OMIX_JAR [minutes=30] [workers=4]
 */
public final class SoakBench {
    private SoakBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path dataDir = BenchServer.scratchDir("omix-soak-");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-jar", jar.toString(), "serve", "--port", String.valueOf(port), "--data-dir", dataDir.toString())
                .redirectErrorStream(true).redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile());
        pb.environment().putAll(Map.of("OMIX_OAUTH_ACCESS_TOKEN_TTL_SECONDS", "60", "OMIX_HOUSEKEEPING_INTERVAL_SECONDS", "60",
                "OMIX_LOG_LEVEL", "WARN"));
        Process server = pb.start();
        try {
            String endpoint = "http://127.0.0.1:" + port;
            waitForPing(endpoint, server);
            MixedLoad load = new MixedLoad(MixedLoad.Credentials.read(dataDir.resolve("demo-credentials.json"), endpoint), workers, 0, 20_000);
            load.start();
            System.out.println("| minute | calls/s | p50 ms | p99 ms | server RSS MB | database MB | tokens | audit entries | stream records | kept answers | database bytes per row |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            long started = System.nanoTime();
            long before = 0;
            for (int m = 1; m <= minutes; m++) {
                Thread.sleep(Math.max(0, started / 1_000_000 + m * 60_000L - System.nanoTime() / 1_000_000));
                long now = load.doneSoFar().values().stream().mapToLong(Long::longValue).sum();
                long[] latencies = load.drainLatencies();
                long[] rows = rows(dataDir);
                long dbBytes = Files.size(dataDir.resolve("db").resolve("omix.mv.db"));
                System.out.printf("| %d | %,.0f | %.1f | %.1f | %.0f | %.1f | %,d | %,d | %,d | %,d | %.0f |%n", m, (now - before) / 60.0,
                        MixedLoad.percentile(latencies, 50), MixedLoad.percentile(latencies, 99), rssBytes(server.pid()) / 1e6,
                        dbBytes / 1e6, rows[0], rows[1], rows[2], rows[3], (double) dbBytes / Math.max(1, rows[0] + rows[1] + rows[2] + rows[3]));
                before = now;
            }
            load.stop();
            List<String> problems = load.verify();
            System.out.printf("errors that reached the application: %d; %s%n", load.surfacedErrors(),
                    problems.isEmpty() ? "every acknowledged record read back" : "PROBLEMS: " + problems);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    static void waitForPing(String endpoint, Process server) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(endpoint + "/ping")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // starting
            }
            if (!server.isAlive()) throw new IllegalStateException("the server exited");
            Thread.sleep(100);
        }
        throw new IllegalStateException("the server did not start");
    }

    /**
     * Live rows that grow with this load (read through the running server's embedded database, as omix admin does):
     * tokens, audit entries, stream records, and the answers kept a day for repeats of writes (Idempotency-Key).
     */
    static long[] rows(Path dataDir) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.omix.server.common.db.Database.embeddedUrl(dataDir), "", "");
             java.sql.Statement st = c.createStatement()) {
            String[] counts = {"SELECT COUNT(*) FROM oauth_tokens", "SELECT COALESCE(SUM(entry_count), 0) FROM audit_blocks",
                    "SELECT COUNT(*) FROM stream_records", "SELECT COUNT(*) FROM idempotency_keys"};
            long[] out = new long[counts.length];
            for (int i = 0; i < counts.length; i++) {
                try (java.sql.ResultSet rs = st.executeQuery(counts[i])) {
                    rs.next();
                    out[i] = rs.getLong(1);
                }
            }
            return out;
        } catch (java.sql.SQLException e) {
            return new long[] {-1, -1, -1, -1};
        }
    }

    static long rssBytes(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }

    static long directoryBytes(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
