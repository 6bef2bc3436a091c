package io.omix.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.OmixServer;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.apps.RequestSignature;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 5's ingest target, measured on the server alone: wrk (a C load generator, one connection per
 * thread) replays pre-signed batch_write_stream calls of 100 records, each call once (its own nonce,
 * its own times), so the two cores are spent on the server rather than on Java clients. StreamBench
 * measures the same path end to end through the SDK. Afterwards the records in the database are
 * counted: every acknowledged one must be there.
 * With {@code -Dclient=jdk} the same calls go through the JDK's HttpClient in this JVM instead. With
 * {@code -Dduplicates=N}, N more clients in this JVM (through the SDK) repeat one written batch during the measured
 * run: every record of theirs is a duplicate, answered as such, and the wrk connections' rate shows what they cost
 * the other writers (a request refused in its commit group goes on its own; its group should not). With
 * {@code -Dduplicates.fresh=true} the same clients write new records instead: what any two more writers cost, to
 * compare with.
 * Usage: java -cp omix-bench.jar io.omix.bench.StreamIngestWrk [seconds=15] [connections=4] [jdbcUrl user password]
 */
public final class StreamIngestWrk {
    private StreamIngestWrk() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        try (OmixServer server = BenchServer.start("stream-wrk", args, 2)) {
            String db = server.platform().database().vendor().name().toLowerCase();
            PrivateAppStore.Created app = new PrivateAppStore(server.platform()).create("bench", "WRK_" + System.nanoTime());
            List<String> entities = StreamBench.entities(server, app, connections);
            Path dir = BenchServer.scratchDir("omix-wrk-");
            Path script = dir.resolve("stream-ingest.lua");
            try (InputStream in = StreamIngestWrk.class.getResourceAsStream("stream-ingest.lua")) {
                Files.copy(in, script);
            }
            // Warm-up (JIT, caches): 5 s on its own requests, not counted.
            Path warm = requests(dir.resolve("warm.tsv"), app, entities, 1_400_000_000L, 5 * 1_000 / connections);
            run(server, app, script, warm, connections, 5);
            settledCount(server); // the warm-up's last calls, in flight when wrk stopped, are stored before the count
            int duplicates = Integer.getInteger("duplicates", 0);
            boolean fresh = Boolean.getBoolean("duplicates.fresh");
            Repeaters repeaters = duplicates > 0 ? new Repeaters(server, app, duplicates, fresh) : null; // its batch written before the count
            long before = count(server);
            // Enough requests for twice the target (200,000 records/s) over the whole run: a wrk thread that runs out of
            // requests stops early, so the rate could never be measured above what was made (-Dceiling=records/s).
            int perThread = (int) ((long) seconds * Integer.getInteger("ceiling", 200_000) / 100 / connections);
            Path measured = requests(dir.resolve("measured.tsv"), app, entities, 1_600_000_000L, perThread);
            if ("jdk".equals(System.getProperty("client"))) {
                jdkClient(server, app, measured, connections, seconds);
                return;
            }
            String out;
            try {
                out = run(server, app, script, measured, connections, seconds);
            } finally {
                if (repeaters != null) repeaters.close();
            }
            long stored = settledCount(server) - before - (repeaters != null ? repeaters.written.get() : 0);
            double rps = number(out, "Requests/sec:\\s+([0-9.]+)");
            long requests = (long) number(out, "([0-9]+) requests in");
            long failures = (long) number(out, "omix-failures ([0-9]+)");
            System.out.print(out);
            System.out.printf("%n[%s] wrk, %d connections, batch_write_stream of 100: %,.0f calls/s = %,.0f records/s (target >= 100,000/s embedded);"
                            + " %,d calls answered in time, %,d failed, %,d records stored%n",
                    db, connections, rps, rps * 100, requests, failures, stored);
            // wrk stops counting at the deadline with one call per connection still in flight: the
            // server may have stored those too, so up to that many more calls' records are in the table.
            long acknowledged = (requests - failures) * 100;
            if (failures > 0 || stored < acknowledged || stored > acknowledged + connections * 100L) {
                throw new IllegalStateException("records lost or refused: " + stored + " stored, " + acknowledged + " acknowledged");
            }
            if (repeaters != null) {
                System.out.printf(fresh ? "[%s] meanwhile %d clients through the SDK writing new records: %,d calls%n"
                        : "[%s] meanwhile %d clients through the SDK repeating one written batch: %,d calls, every record answered as a duplicate%n",
                        db, duplicates, repeaters.calls.get());
            }
            if (requests >= (long) perThread * connections * 9 / 10) {
                System.out.println("(the requests nearly or wholly ran out before the time, so the rate is a floor: raise -Dceiling)");
            }
        }
    }

    /**
     * Clients repeating one batch that was written before, each call with its own signature: every record a duplicate
     * (or, {@code fresh}, each call new records of the client's own entity).
     */
    private static final class Repeaters implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final io.omix.sdk.PrivateApi api;

        Repeaters(OmixServer server, PrivateAppStore.Created app, int n, boolean fresh) {
            List<String> own = StreamBench.entities(server, app, n);
            String entity = own.get(0);
            List<Map<String, Object>> batch = StreamBench.batches(entity, 1_500_000_000L, 100).get(0);
            api = io.omix.sdk.PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString()).build();
            api.batchWriteStream(batch, false);
            for (int i = 0; i < n; i++) {
                String mine = own.get(i);
                Thread repeater = new Thread(() -> {
                    try {
                        for (long call = 1; !stop.get(); call++) {
                            List<Map<String, Object>> items = fresh ? StreamBench.batches(mine, 1_500_000_000L + call * 100, 100).get(0) : batch;
                            io.omix.sdk.ListModel answer = api.batchWriteStream(items, false).getList("result");
                            if (answer.getModel(0).getBoolean("is_succeed") != fresh) throw new IllegalStateException(answer.getModel(0).dumps());
                            calls.incrementAndGet();
                            if (fresh) written.addAndGet(items.size());
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
                repeater.setDaemon(true);
                repeater.start();
                threads.add(repeater);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) t.join();
            api.close();
            if (!failures.isEmpty()) throw new IllegalStateException("a repeating client failed", failures.get(0));
        }
    }

    /** Signed calls for each connection: its own entity, one record a second from firstSecond, 100 a call. */
    private static Path requests(Path file, PrivateAppStore.Created app, List<String> entities, long firstSecond, int perThread) throws Exception {
        String path = "/private/stream/batch_write";
        long timestamp = System.currentTimeMillis() / 1000;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int t = 0; t < entities.size(); t++) {
                for (List<Map<String, Object>> items : StreamBench.batches(entities.get(t), firstSecond, perThread * 100)) {
                    byte[] body = JSON.writeValueAsBytes(Map.of("streams", items, "duplicate_enabled", false));
                    byte[] nonceBytes = new byte[18];
                    RANDOM.nextBytes(nonceBytes);
                    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
                    String ts = Long.toString(timestamp);
                    String signature = RequestSignature.sign(app.appSecret(), RequestSignature.canonical("POST", path, null, body, ts, nonce));
                    w.write(t + "\t" + ts + "\t" + nonce + "\t" + signature + "\t" + new String(body, StandardCharsets.UTF_8) + "\n");
                }
            }
        }
        return file;
    }

    private static String run(OmixServer server, PrivateAppStore.Created app, Path script, Path requests, int connections, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t" + connections, "-c" + connections, "-d" + seconds + "s", "--timeout", "10s",
                "--latency", "-s", script.toString(), server.url().toString().replaceAll("/$", ""));
        pb.environment().put("OMIX_APP_KEY", app.app().appKey());
        pb.environment().put("OMIX_REQUESTS", requests.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed:\n" + out);
        return out;
    }

    /**
     * The same pre-signed calls sent by the JDK's HttpClient from {@code connections} threads in
     * this JVM (no SDK: no JSON, no signing), to see what an in-process Java client costs the two cores.
     */
    private static void jdkClient(OmixServer server, PrivateAppStore.Created app, Path file, int connections, int seconds) throws Exception {
        List<String> lines = Files.readAllLines(file);
        java.net.URI uri = java.net.URI.create(server.url().toString().replaceAll("/$", "") + "/private/stream/batch_write");
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(connections);
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        try {
            List<java.util.concurrent.Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                String mine = t + "\t";
                threads.add(pool.submit(() -> {
                    for (String line : lines) {
                        if (!line.startsWith(mine)) continue;
                        if (System.nanoTime() > deadline) break;
                        String[] f = line.split("\t", 5);
                        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/json").header("X-Omix-App-Key", app.app().appKey())
                                .header("X-Omix-Timestamp", f[1]).header("X-Omix-Nonce", f[2]).header("X-Omix-Signature", f[3])
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(f[4])).build();
                        String body = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                        if (!body.contains("\"code\":0") || body.contains("\"is_succeed\":false")) throw new IllegalStateException(body);
                        written.addAndGet(100);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> t : threads) t.get();
        } finally {
            pool.shutdown();
        }
        System.out.printf("%n[%s] JDK HttpClient, %d threads in this JVM, the same pre-signed calls: %,.0f records/s%n",
                server.platform().database().vendor().name().toLowerCase(), connections, written.get() / ((System.nanoTime() - start) / 1e9));
    }

    /** The records' count once it has stopped moving: calls in flight when wrk stopped are stored, or refused, first. */
    private static long settledCount(OmixServer server) throws InterruptedException {
        long last = count(server);
        while (true) {
            Thread.sleep(300);
            long now = count(server);
            if (now == last) return now;
            last = now;
        }
    }

    private static long count(OmixServer server) {
        return server.platform().database().jdbc().queryOne("SELECT COUNT(*) FROM stream_records", rs -> rs.getLong(1)).orElseThrow();
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) throw new IllegalStateException("no " + regex + " in wrk's output:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
