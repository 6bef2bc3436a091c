package io.omix.cli;

import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a real {@code omix serve} process in the middle of concurrent batch writes: after a
 * restart on the same data directory, every acknowledged record is there exactly once, and every
 * batch is there whole or not at all.
 */
class CrashTest {
    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The demo partner app a fresh {@code omix serve} writes into demo-credentials.json, with its own sample. */
    record DemoApp(String appKey, String appSecret, String sample, String namespace, Model credentials) {
        static DemoApp of(Path dataDir) throws java.io.IOException {
            Model creds = Model.parse(Files.readString(dataDir.resolve("demo-credentials.json")));
            Model app = creds.getModel("private_app");
            return new DemoApp(app.getString("app_key"), app.getString("app_secret"), creds.getModel("samples").getString("private_app"),
                    app.getString("namespace"), creds);
        }
    }

    /** Webhooks to a receiver on this machine, retried quickly, stream writes announced per second. */
    static final Map<String, String> WEBHOOKS_FAST = Map.of("OMIX_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true", "OMIX_WEBHOOKS_RETRY_INITIAL_SECONDS", "1",
            "OMIX_WEBHOOKS_RETRY_MAX_SECONDS", "2", "OMIX_WEBHOOKS_COALESCE_SECONDS", "1");

    static Process serve(Path dataDir, int port) throws Exception {
        return serve(dataDir, port, Map.of());
    }

    static boolean spoolHoldsEntries(Path spoolDir) throws java.io.IOException {
        if (!Files.isDirectory(spoolDir)) return false;
        try (var spools = Files.list(spoolDir)) {
            return spools.anyMatch(f -> {
                try {
                    return Files.size(f) > 0;
                } catch (java.io.IOException gone) {
                    return false;
                }
            });
        }
    }

    static Process serve(Path dataDir, int port, Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.omix.cli.Omix", "serve",
                "--port", String.valueOf(port), "--data-dir", dataDir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling("server-" + port + ".log").toFile()));
        pb.environment().put("OMIX_LOG_LEVEL", "WARN");
        pb.environment().putAll(env);
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 300; i++) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return p;
            } catch (java.io.IOException notYet) {
                // starting
            }
            if (!p.isAlive()) throw new IllegalStateException("server exited: " + Files.readString(dataDir.resolveSibling("server-" + port + ".log")));
            Thread.sleep(100);
        }
        throw new IllegalStateException("server did not start");
    }

    @Test
    void acknowledgedRecordsSurviveAKilledServerExactlyOnce(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        Process server = serve(data, port, WEBHOOKS_FAST);
        DemoApp demo = DemoApp.of(data);
        String appKey = demo.appKey();
        String appSecret = demo.appSecret();
        String sample = demo.sample();
        String namespace = demo.namespace();
        String endpoint = "http://127.0.0.1:" + port;
        // A webhook for the writes, whose receiver is down until after the restart: the events queued
        // with the writes must all survive the kill and arrive, each record counted once.
        int receiverPort = freePort();
        String hook;
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
            hook = (String) api.webhooks().create("http://127.0.0.1:" + receiverPort + "/hook", List.of("stream.records_written"))
                    .at("webhook.webhook_id");
        }

        Map<Integer, List<String>> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        String entity;
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).maxRetries(0).build()) {
            entity = api.streamBind(sample).getString("fundamental_entity_id");
        }
        ExecutorService writers = Executors.newFixedThreadPool(3);
        for (int w = 0; w < 3; w++) {
            int writer = w;
            writers.submit(() -> {
                try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).maxRetries(0).build()) {
                    for (int batch = 0; !stop.get(); batch++) {
                        int id = writer * 1_000_000 + batch;
                        List<Map<String, Object>> items = new ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            items.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                                    "stream_generate_time", String.format("2030-01-01 00:00:00.%06d", i),
                                    "stream_data", Map.of("batch", id, "item", i)));
                        }
                        Model r = api.batchWriteStream(items, true);
                        List<String> ids = new ArrayList<>();
                        for (Model item : r.getList("result").models()) ids.add((String) item.at("stream.stream_id"));
                        acknowledged.put(id, ids);
                    }
                } catch (RuntimeException serverGone) {
                    // the server was killed under this writer
                }
            });
        }
        while (acknowledged.size() < 20) Thread.sleep(20);
        // The kill must find entries not yet moved: the mover empties the spool four times a second, and the
        // next entry opens a new one, so a kill right after a move found none (seen once in CI).
        for (int i = 0; i < 500 && !spoolHoldsEntries(data.resolve("audit-spool")); i++) Thread.sleep(2);
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no flush
        stop.set(true);
        writers.shutdown();
        assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));
        Map<Integer, List<String>> acked = new HashMap<>(acknowledged);
        List<Path> leftBehind;
        try (var spools = Files.list(data.resolve("audit-spool"))) {
            leftBehind = spools.toList();
        }
        assertTrue(!leftBehind.isEmpty(), "the killed server left audit entries in its spool");

        Map<String, Integer> events = new ConcurrentHashMap<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", receiverPort), 0);
        receiver.createContext("/hook", exchange -> {
            Model event = Model.parse(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            events.put(event.getString("id"), event.getModel("data").getInt("records")); // at least once: an id may come twice
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Process again = serve(data, port, WEBHOOKS_FAST);
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
            Map<Integer, Integer> itemsPerBatch = new HashMap<>();
            Set<String> stored = new HashSet<>();
            for (Model r : api.streams(namespace, HEART_RATE, entity, null, "2030-01-01", "2030-01-01 00:00:01", "asc")) {
                assertTrue(stored.add(r.getString("stream_id")), "no record is stored twice");
                itemsPerBatch.merge(((Number) r.at("stream_data.batch")).intValue(), 1, Integer::sum);
            }
            for (Map.Entry<Integer, List<String>> e : acked.entrySet()) {
                assertTrue(stored.containsAll(e.getValue()), "acknowledged batch " + e.getKey() + " is all there");
            }
            itemsPerBatch.forEach((batch, n) -> assertEquals(100, n, "batch " + batch + " is whole or absent"));
            assertTrue(itemsPerBatch.size() >= acked.size());

            // Every acknowledged write was recorded before its answer left: the killed server's audit
            // spool was appended at the restart, once, and the chain holds.
            AdminAndLoginTest.Run trail = AdminAndLoginTest.omix("admin", "--data-dir", data.toString(), "audit", "list",
                    "--operation", "POST /private/stream/batch_write", "--limit", "100000", "--json");
            assertEquals(0, trail.exit(), trail.err());
            long recorded = trail.out().lines().filter(l -> l.contains("\"outcome\":\"200 0\"")).count();
            assertTrue(recorded >= acked.size(), recorded + " audit entries for " + acked.size() + " acknowledged writes");
            AdminAndLoginTest.Run verify = AdminAndLoginTest.omix("admin", "--data-dir", data.toString(), "audit", "verify");
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            try (var left = Files.list(data.resolve("audit-spool"))) {
                assertTrue(left.noneMatch(leftBehind::contains), "the killed server's spools were appended and removed: " + leftBehind);
            }

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (events.values().stream().mapToInt(Integer::intValue).sum() < stored.size() && System.nanoTime() < until) Thread.sleep(200);
            int announced = events.values().stream().mapToInt(Integer::intValue).sum();
            if (announced != stored.size()) {
                // What the platform says of each delivery, and what the servers logged: for a failure seen once in CI.
                String log = Files.readString(data.resolveSibling("server-" + port + ".log"));
                org.junit.jupiter.api.Assertions.fail("every stored record announced once: " + announced + " of " + stored.size() + " across events "
                        + events + "; deliveries " + api.webhooks().deliveries(hook, 100).dumps() + "; the servers' log: "
                        + log.substring(Math.max(0, log.length() - 4000)));
            }
        } finally {
            receiver.stop(0);
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * kill -9 right after a commit_batch of 30,000 items: after the restart the batch is either all
     * visible or not at all, and once its task has run again it is all visible, each item once.
     */
    @Test
    void aBatchCommitInterruptedByAKilledServerIsAllOrNothingAndFinishesAfterRestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        Map<String, String> shortLease = Map.of("OMIX_TASKS_LEASE_SECONDS", "2");
        Process server = serve(data, port, shortLease);
        DemoApp demo = DemoApp.of(data);
        String appKey = demo.appKey();
        String appSecret = demo.appSecret();
        String sample = demo.sample();
        String endpoint = "http://127.0.0.1:" + port;
        int items = 30_000;
        long batchNo;
        String taskId;
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).maxRetries(0).build()) {
            batchNo = api.registerBatch("crash", "").getLong("batch_no");
            ExecutorService importers = Executors.newFixedThreadPool(3);
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int call = 0; call < items / 100; call++) {
                int from = call * 100;
                calls.add(importers.submit(() -> {
                    List<Map<String, Object>> chunk = new ArrayList<>();
                    for (int i = from; i < from + 100; i++) {
                        chunk.add(Map.of("data_element_id", "00011d12-b363-11e9-bfed-00163e104c79", "attributes", Map.of("i", i)));
                    }
                    api.importBatch(batchNo, chunk, sample);
                }));
            }
            for (java.util.concurrent.Future<?> f : calls) f.get();
            importers.shutdown();
            taskId = api.commitBatch(batchNo).getString("task_id");
            Thread.sleep(new java.util.Random().nextInt(30));
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        // First look with no task worker running, so that the interrupted commit cannot finish between
        // reading the batch's flag and counting its items: what the crash left must be whole or nothing.
        Process frozen = serve(data, port, Map.of("OMIX_TASKS_WORKERS", "0"));
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
            boolean committed = api.retrieveBatch(batchNo).getBoolean("committed");
            long visible = count(api, sample, batchNo);
            assertEquals(committed ? items : 0, visible, "all or nothing (committed=" + committed + ")");
        } finally {
            frozen.destroy();
            frozen.waitFor(30, TimeUnit.SECONDS);
        }

        Process again = serve(data, port, shortLease);
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
            Model task = api.waitFor(api.task(taskId), java.time.Duration.ofSeconds(60));
            assertEquals("SUCCESS", task.getString("progress"), "the interrupted commit ran to its end: " + task);
            assertEquals(true, api.retrieveBatch(batchNo).getBoolean("committed"));
            Set<Object> seen = new HashSet<>();
            for (Model item : api.dataItems(sample, batchNo, null)) assertTrue(seen.add(item.at("attributes.i")), "each item once");
            assertEquals(items, seen.size());
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static long count(PrivateApi api, String sample, long batchNo) {
        long n = 0;
        for (Model ignored : api.dataItems(sample, batchNo, null)) n++;
        return n;
    }
}
