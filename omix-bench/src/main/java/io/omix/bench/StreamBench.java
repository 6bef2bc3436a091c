package io.omix.bench;

import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import io.omix.server.OmixServer;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.samples.SampleStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 5's measurements: ingest through batch_write_stream (100 records a call, several client
 * threads, each record signed-request traffic through the SDK), then stream_range latency for the
 * first page and a page deep in the range of one entity.
 * Usage: java -cp omix-bench.jar io.omix.bench.StreamBench [records=400000] [threads=4] [jdbcUrl user password]
 */
public final class StreamBench {
    private StreamBench() {}

    static final String HEART_RATE = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        try (OmixServer server = BenchServer.start("stream", args, 2)) {
            String db = server.platform().database().vendor().name().toLowerCase();
            PrivateAppStore.Created app = new PrivateAppStore(server.platform()).create("bench", "BENCH_" + System.nanoTime());
            List<String> entities = entities(server, app, threads);
            int perThread = records / threads / 100 * 100;
            // The application's data is made before the clock starts: what is measured is the SDK
            // (JSON, signing, HTTP) and the server, not building maps and formatting times.
            List<List<List<Map<String, Object>>>> batches = new ArrayList<>();
            for (int t = 0; t < threads; t++) batches.add(batches(entities.get(t), 1_600_000_000L, perThread));
            // Warm-up, not measured: as many records again at other times, so the JIT has compiled the
            // whole path (a tenth as many left the measured run a third slower).
            ingest(app, server, threads, t -> batches(entities.get(t), 1_500_000_000L, perThread));
            long start = System.nanoTime();
            long written = ingest(app, server, threads, batches::get);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%n[%s] batch_write_stream: %,d records by %d threads in %.2f s = %,.0f records/s (target >= 50,000/s embedded)%n",
                    db, written, threads, seconds, written / seconds);

            try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString()).build()) {
                String ns = app.app().namespace();
                String entity = entities.get(0);
                String deep = null;
                Model page = api.streamRange(ns, HEART_RATE, entity, null, null, null, "asc", null, 100);
                for (int i = 0; i < perThread / 100 / 2 && page.get("next_page") != null; i++) {
                    deep = page.getString("next_page");
                    page = api.streamRange(ns, HEART_RATE, entity, null, null, null, "asc", deep, 100);
                }
                long[] first = new long[500];
                long[] middle = new long[500];
                for (int i = 0; i < 500; i++) {
                    long t0 = System.nanoTime();
                    api.streamRange(ns, HEART_RATE, entity, null, null, null, "desc", null, 100);
                    first[i] = System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    api.streamRange(ns, HEART_RATE, entity, null, null, null, "asc", deep, 100);
                    middle[i] = System.nanoTime() - t0;
                }
                System.out.printf("[%s] stream_range, 100 records a page, entity with %,d records among %,d: first page p50 %.2f ms p99 %.2f ms;"
                                + " a page in the middle p50 %.2f ms p99 %.2f ms (target p99 < 10 ms)%n",
                        db, perThread, written, Percentiles.ms(first, 50), Percentiles.ms(first, 99), Percentiles.ms(middle, 50), Percentiles.ms(middle, 99));
            }
        }
    }

    /** {@code n} entities of the app to write to, each bound to a sample of its own. */
    static List<String> entities(OmixServer server, PrivateAppStore.Created app, int n) {
        String project = new SampleStore(server.platform()).createProject("bench", 1, null, null, null).projectId();
        List<String> entities = new ArrayList<>();
        try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString()).build()) {
            for (int i = 0; i < n; i++) {
                String sample = api.registerSample(11, project, "B-" + i, Map.of()).getString("biosample_id");
                entities.add(api.streamBind(sample).getString("fundamental_entity_id"));
            }
        }
        return entities;
    }

    /** One entity's records, one a second from {@code firstSecond}, in calls of 100. */
    static List<List<Map<String, Object>>> batches(String entity, long firstSecond, int records) {
        List<List<Map<String, Object>>> calls = new ArrayList<>();
        for (int done = 0; done < records; done += 100) {
            List<Map<String, Object>> batch = new ArrayList<>(100);
            for (int i = 0; i < 100; i++) {
                long ts = firstSecond + done + i;
                batch.add(Map.of("fundamental_entity_id", entity, "data_element_id", HEART_RATE,
                        "stream_generate_time", java.time.Instant.ofEpochSecond(ts).atOffset(java.time.ZoneOffset.ofHours(8))
                                .toLocalDateTime().toString().replace('T', ' '),
                        "stream_data", Map.of("value_quantity", Map.of("unit", "beats/min", "value", 60 + i % 30))));
            }
            calls.add(batch);
        }
        return calls;
    }

    /** Each thread, with its own client, sends its calls one after another; every item must succeed. */
    static long ingest(PrivateAppStore.Created app, OmixServer server, int threads,
                               java.util.function.IntFunction<List<List<Map<String, Object>>>> callsOf) throws Exception {
        AtomicLong written = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<List<Map<String, Object>>> calls = callsOf.apply(t);
                futures.add(pool.submit(() -> {
                    try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString()).build()) {
                        for (List<Map<String, Object>> batch : calls) {
                            Model r = api.batchWriteStream(batch, false);
                            for (Model item : r.getList("result").models()) {
                                if (!Boolean.TRUE.equals(item.getBoolean("is_succeed"))) throw new IllegalStateException(item.dumps());
                            }
                            written.addAndGet(batch.size());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        return written.get();
    }

}
