package io.omix.bench;

import io.omix.cli.AotTrainCommand;

import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFIterator;
import htsjdk.variant.vcf.VCFIteratorBuilder;
import io.omix.sdk.AccessToken;
import io.omix.sdk.Api;
import io.omix.sdk.OAuth2;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;
import io.omix.server.variants.VcfImporter;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Issue 4's measurements, in one run on the embedded store:
 * VCF import rate beside htsjdk's parse-only rate of the same file, and get_variants latency
 * (100 rs ids, a sample with N calls) through the SDK beside a bare JDK HttpClient.
 * Usage: java [-Dimports=3] [-DwarmupSeconds=0] [-Dserver.process=true [-Dserver.inJvm=false] [-Dserver.jvmOptions="..."]] -cp omix-bench.jar io.omix.bench.VariantBench [records=1000000] [requests=2000] [PostgreSQL jdbc url, user, password]
 */
public final class VariantBench {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private VariantBench() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int imports = Integer.getInteger("imports", 3);
        Path dir = BenchServer.scratchDir("omix-variant-bench-");
        Path vcf = io.omix.cli.SyntheticVcf.write(dir.resolve("bench.vcf"), records);
        System.out.printf("VCF: %d records, %.1f MiB%n", records, Files.size(vcf) / 1048576.0);

        long parseStart = System.nanoTime();
        long parsed = 0;
        try (InputStream in = Files.newInputStream(vcf); VCFIterator it = new VCFIteratorBuilder().open(in)) {
            while (it.hasNext()) {
                VariantContext vc = it.next();
                vc.getGenotype(0).getAD();
                parsed++;
            }
        }
        double parseSeconds = (System.nanoTime() - parseStart) / 1e9;

        Map<String, String> settings = new java.util.HashMap<>(Map.of("server.port", "0", "data.dir", dir.resolve("data").toString(),
                "demo.enabled", "false", "ratelimit.per-client-per-minute", "100000000", "audit.enabled", System.getProperty("audit", "true")));
        BenchServer.useDatabase(settings, args, 2);
        String clientId;
        String secret;
        String sampleId;
        long imported;
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(settings))) {
            var platform = server.platform();
            AotTrainCommand.ClientSample cs = AotTrainCommand.clientWithSample(platform);
            ClientStore.Created client = cs.client();
            String sample = cs.sample();

            // The first import in a fresh JVM compiles the parser and the writer as it goes (a JIT
            // compiler thread took most of a core during it); the later ones are what a running
            // server does. Each replaces the one before, switching atomically as in production.
            VcfImporter.Result result = null;
            for (int i = 1; i <= imports; i++) {
                try (InputStream in = Files.newInputStream(vcf)) {
                    result = new VcfImporter(platform).importVcf(sample, in, VcfImporter.Options.DEFAULT);
                }
                System.out.printf("%nVCF import %d of %d (%s): %,d calls in %.2f s = %,.0f calls/s (target >= 200,000/s)%n", i, imports,
                        i == 1 ? "the first in this JVM" : "the JIT warm", result.imported(), result.millis() / 1000.0, result.perSecond());
            }
            Path db = dir.resolve("data").resolve("db").resolve("omix.mv.db");
            if (Files.exists(db)) System.out.printf("embedded database file after the import: %.1f MiB (the VCF: %.1f MiB)%n", Files.size(db) / 1048576.0, Files.size(vcf) / 1048576.0);
            System.out.printf("htsjdk parse only: %,d records in %.2f s = %,.0f records/s; import/parse ratio = %.2f%n",
                    parsed, parseSeconds, parsed / parseSeconds, result.perSecond() / (parsed / parseSeconds));

            // Server and client share this JVM: leave the import's garbage out of the latency phase.
            System.gc();
            if (requests > 0 && Boolean.parseBoolean(System.getProperty("server.inJvm", "true"))) latency("server in this JVM", server.url().toString(), client.client().clientId(), client.secret(), sample, records, requests, result.imported());
            clientId = client.client().clientId();
            secret = client.secret();
            sampleId = sample;
            imported = result.imported();
        }
        // -Dserver.process=true: the same calls again against the same database served by `omix serve` in a JVM of its own,
        // as the README starts it: the client's allocations no longer share the server's heap and collector.
        if (Boolean.getBoolean("server.process") && requests > 0 && args.length <= 2) {
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                port = free.getLocalPort();
            }
            // -Dserver.jvmOptions="...": options of the server's JVM (space-separated), to compare collectors and their settings.
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            String jvmOptions = System.getProperty("server.jvmOptions", "").trim();
            if (!jvmOptions.isEmpty()) command.addAll(List.of(jvmOptions.split("\\s+")));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    "io.omix.cli.Omix", "serve", "--port", String.valueOf(port), "--data-dir", dir.resolve("data").toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(Map.of("OMIX_RATELIMIT_PER_CLIENT_PER_MINUTE", "100000000", "OMIX_LOG_LEVEL", "WARN",
                    "OMIX_AUDIT_ENABLED", System.getProperty("audit", "true"), "OMIX_DEMO_ENABLED", "false"));
            Process served = pb.start();
            try {
                String endpoint = "http://127.0.0.1:" + port;
                SoakBench.waitForPing(endpoint, served);
                latency("omix serve in its own JVM", endpoint, clientId, secret, sampleId, records, requests, imported);
            } finally {
                served.destroy();
                served.waitFor();
            }
        }
    }

    /** get_variants through the SDK and a bare client, alternating, against the server at {@code baseUrl}. */
    private static void latency(String where, String baseUrl, String clientId, String secret, String sample, int records, int requests, long calls)
            throws Exception {
        try (OAuth2 oauth2 = OAuth2.builder(clientId, secret).endpoint(baseUrl).build()) {
            AccessToken token = oauth2.getCredentialsToken();
            HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Random random = new Random(7);
            try (Api api = token.api()) {
                // -DwarmupSeconds=S: calls for S seconds before measuring. A server answering 100 ids a call reaches its
                // steady rate only after 30 - 40 s of calls (the JIT's later compilations; docs/benchmarks.md), so
                // without it the figures below are those of a server still warming up.
                long warmupEnd = System.nanoTime() + Long.getLong("warmupSeconds", 0) * 1_000_000_000L;
                int warmupCalls = 0;
                for (; warmupCalls < 300 || System.nanoTime() < warmupEnd; warmupCalls++) {
                    String ids = ids(random, records);
                    api.getVariants(sample, ids);
                    bareCall(bare, baseUrl, token, sample, ids);
                }
                System.out.printf("%n%s: warm-up of %,d pairs of calls%n", where, warmupCalls);
                // -Dlatencies=FILE: each SDK call's JVM uptime (ms, as in -Xlog:gc) and latency, to lay beside a GC log.
                java.io.PrintWriter latencies = System.getProperty("latencies") == null ? null : new java.io.PrintWriter(System.getProperty("latencies"));
                long[] sdk = new long[requests];
                long[] raw = new long[requests];
                // Everything this JVM allocates while measuring (server, SDK and bare client): what the collector has to clear.
                long allocatedBefore = allocatedByThisJvm();
                for (int i = 0; i < requests; i++) {
                    String ids = ids(random, records);
                    // Alternate who goes first: the second call of a pair finds the database pages warm.
                    for (int turn = 0; turn < 2; turn++) {
                        boolean sdkTurn = (i + turn) % 2 == 0;
                        long t0 = System.nanoTime();
                        if (sdkTurn) {
                            int n = api.getVariants(sample, ids).size();
                            if (n != 100) throw new IllegalStateException("expected 100 answers, got " + n);
                            sdk[i] = System.nanoTime() - t0;
                            if (latencies != null) latencies.printf("%d,%.3f%n", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(), sdk[i] / 1e6);
                        } else {
                            bareCall(bare, baseUrl, token, sample, ids);
                            raw[i] = System.nanoTime() - t0;
                        }
                    }
                }
                if (latencies != null) latencies.close();
                long allocatedPerPair = (allocatedByThisJvm() - allocatedBefore) / Math.max(1, requests);
                System.out.printf("get_variants (%s), 100 random rs ids, sample with %,d calls, %d sequential requests each:%n", where, calls, requests);
                System.out.printf("  SDK:             p50 %.2f ms  p90 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms (target p99 < 5 ms)%n", Percentiles.ms(sdk, 50), Percentiles.ms(sdk, 90), Percentiles.ms(sdk, 95), Percentiles.ms(sdk, 99), Percentiles.ms(sdk, 100));
                System.out.printf("  bare HttpClient + Jackson: p50 %.2f ms  p99 %.2f ms  max %.2f ms%n", Percentiles.ms(raw, 50), Percentiles.ms(raw, 99), Percentiles.ms(raw, 100));
                System.out.printf("  ratio SDK/bare p50 = %.2f%n", Percentiles.ms(sdk, 50) / Percentiles.ms(raw, 50));
                if (allocatedBefore >= 0) System.out.printf("  allocated by this JVM (%s) per pair of calls: %,d KB%n",
                        where.contains("own JVM") ? "the SDK and the bare client" : "server and both clients", allocatedPerPair / 1024);
            }
        }
    }

    /** Bytes allocated by every thread of this JVM so far (JDK 21's call, reached by name: the benchmarks compile for 17); -1 before 21. */
    private static long allocatedByThisJvm() {
        try {
            return (long) com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes")
                    .invoke(java.lang.management.ManagementFactory.getThreadMXBean());
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** 100 distinct random ids of the sample. */
    static String ids(Random random, int records) {
        return random.ints(1, records + 1).distinct().limit(100).mapToObj(i -> "rs" + i).collect(Collectors.joining(","));
    }

    private static void bareCall(HttpClient http, String baseUrl, AccessToken token, String sample, String ids) throws Exception {
        // The same per-request timeout the SDK sets (18 s), so that both sides pay for it.
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl.replaceAll("/$", "") + "/variants?biosample_id=" + sample + "&rsids=" + ids))
                .timeout(java.time.Duration.ofSeconds(18))
                .header("Authorization", "Bearer " + token.accessToken()).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
        // What any client does with the answer: parse it.
        if (JSON.readTree(r.body()).path("data").size() != 100) throw new IllegalStateException("expected 100 answers");
    }

}
