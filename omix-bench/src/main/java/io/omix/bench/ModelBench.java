package io.omix.bench;

import io.omix.sdk.Api;
import io.omix.sdk.ModelConfig;
import io.omix.sdk.OAuth2;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Model invocation latency and throughput of a trivial python3 model (it echoes its parameters)
 * through the SDK, every invocation in a sandbox of its own, on two servers side by side in one run:
 * one that builds each box when the invocation arrives ({@code models.pool-size=0}) and one that
 * keeps boxes started ahead for the published version ({@code models.pool-size=2}, the default).
 * For each: cold (the version's code unpacked from the object store first, as on a server that did
 * not deploy it), warm one client back to back, warm one client with 100 ms between calls (a box
 * started ahead is ready for each), and 8 clients at once.
 * Usage: {@code java -cp omix-bench.jar io.omix.bench.ModelBench [calls=100]}
 */
public final class ModelBench {
    private ModelBench() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path work = BenchServer.scratchDir("omix-model-bench-");
        Path zip = work.resolve("echo.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("index.py"));
            z.write(("import json\ndef handler(event, context):\n    e = json.loads(event)\n"
                    + "    return {'model_code': 0, 'model_msg': 'success', 'model_data': {'echo': e['params']}}\n").getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        System.out.println("| server | measure | calls | p50 | p99 | invocations/s |");
        System.out.println("|---|---|---|---|---|---|");
        for (int poolSize : new int[] {0, 2}) {
            measure(work, zip, poolSize, calls);
        }
    }

    private static void measure(Path work, Path zip, int poolSize, int calls) throws Exception {
        String name = "pool-size " + poolSize;
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0",
                "data.dir", work.resolve("data-" + poolSize).toString(), "demo.enabled", "false", "models.pool-size", String.valueOf(poolSize))))) {
            ClientStore.Created c = new ClientStore(server.platform()).create("bench", List.of(), Set.of("client_credentials"),
                    Set.of("files", "models"), false, null);
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(c.client().clientId(), c.secret()).endpoint(server.url().toString()).build()) {
                token = oauth2.getCredentialsToken().accessToken();
            }
            try (Api api = Api.builder(token).endpoint(server.url().toString()).timeout(Duration.ofSeconds(60)).build()) {
                api.deployModel("Echo1", zip, ModelConfig.builder().timeout(30).build(), Duration.ofMinutes(1));
                api.publishModel("Echo1", "bench");
                if (poolSize == 0) {
                    Path code = server.platform().config().modelsRoot().resolve("Echo1").resolve("1");
                    long[] cold = new long[20];
                    for (int i = 0; i < cold.length; i++) {
                        io.omix.server.common.io.FileTrees.delete(code);
                        long t0 = System.nanoTime();
                        api.invokeModel("Echo1", Map.of("i", i));
                        cold[i] = System.nanoTime() - t0;
                    }
                    row(name, "cold: code unpacked first, box built on arrival", cold, 0);
                }
                for (int i = 0; i < 20; i++) api.invokeModel("Echo1", Map.of("i", i)); // JIT, page cache
                long[] sequential = new long[calls];
                long start = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    api.invokeModel("Echo1", Map.of("i", i));
                    sequential[i] = System.nanoTime() - t0;
                }
                row(name, "warm, one client back to back", sequential, calls / ((System.nanoTime() - start) / 1e9));
                long[] paced = new long[calls / 2];
                for (int i = 0; i < paced.length; i++) {
                    Thread.sleep(100);
                    long t0 = System.nanoTime();
                    api.invokeModel("Echo1", Map.of("i", i));
                    paced[i] = System.nanoTime() - t0;
                }
                row(name, "warm, one client, 100 ms between calls", paced, 0);
                long[] floor = new long[calls / 2];
                for (int i = 0; i < floor.length; i++) {
                    Thread.sleep(100);
                    long t0 = System.nanoTime();
                    api.getModelVersions("Echo1", 1, null);
                    floor[i] = System.nanoTime() - t0;
                }
                row(name, "for comparison: model_versions (no model run), 100 ms between calls", floor, 0);
                int clients = 8;
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                long[] concurrent = new long[clients * (calls / 4)];
                List<Future<?>> futures = new ArrayList<>();
                start = System.nanoTime();
                for (int t = 0; t < clients; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = thread; i < concurrent.length; i += clients) {
                            long t0 = System.nanoTime();
                            api.invokeModel("Echo1", Map.of("i", i));
                            concurrent[i] = System.nanoTime() - t0;
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                row(name, clients + " clients at once", concurrent, concurrent.length / seconds);
            }
        }
    }

    private static void row(String server, String measure, long[] nanos, double perSecond) {
        System.out.printf("| %s | %s | %d | %.1f ms | %.1f ms | %s |%n", server, measure, nanos.length, Percentiles.ms(nanos, 50), Percentiles.ms(nanos, 99),
                perSecond > 0 ? String.format("%.1f", perSecond) : "-");
    }

}
