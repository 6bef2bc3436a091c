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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Issue 8's measurement: invocation latency of a trivial python3 model through the SDK, one client
 * after another (every invocation starts its own sandboxed process: there are no warm workers yet),
 * then 8 clients at once. Usage: {@code java -cp omix-bench.jar io.omix.bench.ModelBench [calls=100]}
 */
public final class ModelBench {
    private ModelBench() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path work = Files.createTempDirectory("omix-model-bench-");
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", work.resolve("data").toString(),
                "demo.enabled", "false")))) {
            ClientStore.Created c = new ClientStore(server.platform()).create("bench", List.of(), Set.of("client_credentials"),
                    Set.of("files", "models"), false, null);
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(c.client().clientId(), c.secret()).endpoint(server.url().toString()).build()) {
                token = oauth2.getCredentialsToken().accessToken();
            }
            Path zip = work.resolve("echo.zip");
            try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
                z.putNextEntry(new ZipEntry("index.py"));
                z.write(("import json\ndef handler(event, context):\n    e = json.loads(event)\n"
                        + "    return {'model_code': 0, 'model_msg': 'success', 'model_data': {'echo': e['params']}}\n").getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
            try (Api api = Api.builder(token).endpoint(server.url().toString()).timeout(Duration.ofSeconds(60)).build()) {
                api.deployModel("Echo1", zip, ModelConfig.builder().timeout(30).build(), Duration.ofMinutes(1));
                api.publishModel("Echo1", "bench");
                // Cold: the version's first invocation on a server that did not deploy it (its code
                // unpacked from the object store first), simulated by removing the unpacked code.
                Path code = server.platform().config().modelsRoot().resolve("Echo1").resolve("1");
                long[] cold = new long[20];
                for (int i = 0; i < cold.length; i++) {
                    try (var all = Files.walk(code)) {
                        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
                    }
                    long t0 = System.nanoTime();
                    api.invokeModel("Echo1", Map.of("i", i));
                    cold[i] = System.nanoTime() - t0;
                }
                System.out.printf("cold (code unpacked first), %d invocations: p50 %.1f ms, p99 %.1f ms%n", cold.length, pct(cold, 50), pct(cold, 99));
                for (int i = 0; i < 5; i++) api.invokeModel("Echo1", Map.of("i", i)); // JIT, page cache
                long[] sequential = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    api.invokeModel("Echo1", Map.of("i", i));
                    sequential[i] = System.nanoTime() - t0;
                }
                int clients = 8;
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                long[] concurrent = new long[clients * (calls / 4)];
                List<Future<?>> futures = new ArrayList<>();
                long start = System.nanoTime();
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
                System.out.printf("warm (code in place; still a new sandboxed process each), %d invocations: p50 %.1f ms, p99 %.1f ms%n",
                        calls, pct(sequential, 50), pct(sequential, 99));
                System.out.printf("%d clients, %d invocations: p50 %.1f ms, p99 %.1f ms, %.1f invocations/s%n",
                        clients, concurrent.length, pct(concurrent, 50), pct(concurrent, 99), concurrent.length / seconds);
            }
        }
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))] / 1e6;
    }
}
