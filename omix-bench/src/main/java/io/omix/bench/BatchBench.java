package io.omix.bench;

import io.omix.sdk.Model;
import io.omix.sdk.PrivateApi;
import io.omix.server.OmixServer;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.samples.SampleStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 6's measurement: import data items into one private batch through the SDK (100 items a
 * call, several client threads, signed requests), then commit it and wait for its task; prints the
 * rate of both phases. Usage:
 * {@code java -cp omix-bench.jar io.omix.bench.BatchBench [items=1000000] [threads=4] [jdbcUrl user password]}
 */
public final class BatchBench {
    private BatchBench() {}

    static final String RECORD = "00011d12-b363-11e9-bfed-00163e104c79";

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        try (OmixServer server = BenchServer.start("batch", args, 2)) {
            String db = server.platform().database().vendor().name().toLowerCase();
            PrivateAppStore.Created app = new PrivateAppStore(server.platform()).create("bench", "BENCH_" + System.nanoTime());
            String project = new SampleStore(server.platform()).createProject("bench", 1, null, null, null).projectId();
            try (PrivateApi api = PrivateApi.builder(app.app().appKey(), app.appSecret()).endpoint(server.url().toString())
                    .timeout(Duration.ofSeconds(120)).build()) {
                String sample = api.registerSample(11, project, "BATCH-1", Map.of()).getString("biosample_id");
                long batchNo = api.registerBatch("bench", "1M items").getLong("batch_no");
                int calls = items / 100;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long start = System.nanoTime();
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int call = thread; call < calls; call += threads) {
                            List<Map<String, Object>> chunk = new ArrayList<>(100);
                            for (int i = 0; i < 100; i++) {
                                int n = call * 100 + i;
                                chunk.add(Map.of("data_element_id", RECORD, "attributes",
                                        Map.of("deid_idx", "deid-" + n, "age", 18 + n % 60, "parents", List.of("father", "mother"))));
                            }
                            api.importBatch(batchNo, chunk, sample);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
                pool.shutdown();
                double importSeconds = (System.nanoTime() - start) / 1e9;
                long commitStart = System.nanoTime();
                Model task = api.waitFor(api.commitBatch(batchNo), Duration.ofMinutes(10));
                double commitSeconds = (System.nanoTime() - commitStart) / 1e9;
                long readStart = System.nanoTime();
                Model firstPage = api.getDataItems(sample, batchNo, null, null, 1000);
                double firstPageMs = (System.nanoTime() - readStart) / 1e6;
                System.out.printf("database=%s items=%d threads=%d%n", db, calls * 100L, threads);
                System.out.printf("import: %.1f s, %.0f items/s (%d calls of 100)%n", importSeconds, calls * 100 / importSeconds, calls);
                System.out.printf("commit: %.2f s until the task said %s (result %s)%n", commitSeconds, task.getString("progress"), task.get("result"));
                System.out.printf("first page of 1000 committed items: %.1f ms, %d items%n", firstPageMs, firstPage.getList("result").size());
            }
        }
    }
}
