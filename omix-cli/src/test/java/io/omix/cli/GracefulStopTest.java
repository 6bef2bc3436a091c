package io.omix.cli;

import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.OAuth2;
import io.omix.sdk.PrivateApi;
import io.omix.sdk.UploadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C (SIGINT) and SIGTERM of a real {@code omix serve} process on the embedded database while
 * stream batches are written and a large upload is in flight: every request either completes or is
 * refused before it starts (connection refused, or 503), nothing in flight breaks, the database
 * closes last, and the log holds no ERROR. After a restart every acknowledged record is there once.
 */
class GracefulStopTest {
    static final String HEART_RATE = CrashTest.HEART_RATE;

    @Test
    void sigintLetsRequestsInFlightFinish(@TempDir Path dir) throws Exception {
        stopsGracefully(dir, "INT");
    }

    @Test
    void sigtermLetsRequestsInFlightFinish(@TempDir Path dir) throws Exception {
        stopsGracefully(dir, "TERM");
    }

    /** True for what a client sees when its request was refused before it started. */
    static boolean refusedBeforeStart(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) return true;
            if (t instanceof io.omix.sdk.ApiException a && a.code() == 503) return true;
            String m = String.valueOf(t.getMessage());
            if (m.contains("503") || m.contains("Connection refused")) return true;
        }
        return false;
    }

    /**
     * A connection the stopping server closed before it read the request on it: the client hears
     * nothing, and the request must not have run (checked after the restart).
     */
    static boolean closedBeforeRead(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("received no bytes")) return true;
        }
        return false;
    }

    void stopsGracefully(Path dir, String signal) throws Exception {
        Path data = dir.resolve("data");
        int port = CrashTest.freePort();
        Process server = CrashTest.serve(data, port);
        CrashTest.DemoApp demo = CrashTest.DemoApp.of(data);
        String appKey = demo.appKey();
        String appSecret = demo.appSecret();
        String sample = demo.sample();
        String namespace = demo.namespace();
        String endpoint = "http://127.0.0.1:" + port;
        String entity;
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).maxRetries(0).build()) {
            entity = api.streamBind(sample).getString("fundamental_entity_id");
        }
        Map<Integer, Integer> acknowledged = new ConcurrentHashMap<>();
        List<Integer> unanswered = new CopyOnWriteArrayList<>();
        List<String> broken = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int writer = w;
            running.add(clients.submit(() -> {
                for (int batch = 0; !stop.get(); batch++) {
                    int id = writer * 1_000_000 + batch;
                    List<Map<String, Object>> items = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        items.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                                "stream_generate_time", String.format("2031-01-01 00:00:00.%06d", i), "stream_data", Map.of("batch", id, "item", i)));
                    }
                    try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).maxRetries(0).build()) {
                        api.batchWriteStream(items, true);
                        acknowledged.put(id, items.size());
                    } catch (RuntimeException e) {
                        if (closedBeforeRead(e)) {
                            unanswered.add(id);
                        } else if (!refusedBeforeStart(e)) {
                            broken.add("stream batch " + id + ": " + e);
                        }
                        return null;
                    }
                }
                return null;
            }));
        }
        String clientId = demo.credentials().getModel("oauth_client").getString("client_id");
        String clientSecret = demo.credentials().getModel("oauth_client").getString("client_secret");
        byte[] big = new byte[48 << 20];
        new Random(7).nextBytes(big);
        Path file = dir.resolve("big.bin");
        Files.write(file, big);
        AtomicBoolean uploaded = new AtomicBoolean();
        running.add(clients.submit(() -> {
            try (OAuth2 o = OAuth2.builder(clientId, clientSecret).endpoint(endpoint).maxRetries(0).build();
                 Api api = o.getCredentialsToken(List.of("files")).api()) {
                api.upload("big.bin", file, UploadOptions.builder().multipartThreshold(1 << 20).partSize(8 << 20).threads(4).build());
                uploaded.set(true);
            } catch (RuntimeException e) {
                // An upload cut off by the stop is not completed: its parts either ran or never started.
                if (!refusedBeforeStart(e) && !closedBeforeRead(e)) broken.add("upload: " + e);
            }
            return null;
        }));
        while (acknowledged.size() < 10) Thread.sleep(20);
        Thread.sleep(150); // the upload's parts are in flight
        new ProcessBuilder("kill", "-" + signal, String.valueOf(server.pid())).start().waitFor();
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops");
        stop.set(true);
        for (Future<?> f : running) f.get(60, TimeUnit.SECONDS);
        clients.shutdown();
        assertEquals(List.of(), broken, "every request completed or was refused before it started");
        String log = Files.readString(data.resolveSibling("server-" + port + ".log"));
        assertFalse(log.contains("ERROR"), log);
        assertFalse(log.contains("Database is already closed"), log);

        Process again = CrashTest.serve(data, port);
        try (PrivateApi api = PrivateApi.builder(appKey, appSecret).endpoint(endpoint).build()) {
            Map<Integer, Integer> stored = new java.util.HashMap<>();
            for (Model r : api.streams(namespace, HEART_RATE, entity, null, "2031-01-01", "2031-01-01 00:00:01", "asc")) {
                stored.merge(((Number) r.at("stream_data.batch")).intValue(), 1, Integer::sum);
            }
            for (Map.Entry<Integer, Integer> a : acknowledged.entrySet()) {
                assertEquals(a.getValue(), stored.get(a.getKey()), "acknowledged batch " + a.getKey() + " is there, once");
            }
            for (int id : unanswered) {
                assertEquals(null, stored.get(id), "batch " + id + " got no answer: it was never started");
            }
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
