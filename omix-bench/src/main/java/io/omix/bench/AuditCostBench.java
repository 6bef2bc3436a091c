package io.omix.bench;

import io.omix.sdk.AccessToken;
import io.omix.sdk.Api;
import io.omix.sdk.Model;
import io.omix.sdk.OAuth2;
import io.omix.sdk.PrivateApi;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.oauth.ClientStore;
import io.omix.server.variants.VcfImporter;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * What the audit trail costs (the personal-data issue: at most 10 % of get_variants and stream
 * ingest throughput). Two servers in this JVM, the same data, one with {@code audit.enabled=false},
 * compared in alternating slices ({@link PairedSlices}). Usage: java -cp omix-bench.jar io.omix.bench.AuditCostBench
 * [seconds per slice=5] [pairs=10] [threads=4] [vcf records=200000]
 */
public final class AuditCostBench {
    private AuditCostBench() {}

    record Side(String name, OmixServer server, Api variants, String sample, PrivateAppStore.Created app, List<String> entities) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int records = args.length > 3 ? Integer.parseInt(args[3]) : 200_000;
        Path dir = BenchServer.scratchDir("omix-audit-bench-");
        Path vcf = io.omix.cli.SyntheticVcf.write(dir.resolve("bench.vcf"), records);
        Side off = side("audit off", dir.resolve("off"), false, vcf, threads);
        Side on = side("audit on", dir.resolve("on"), true, vcf, threads);
        try {
            int[] slice = {0};
            String variants = PairedSlices.compare("get_variants (100 ids) calls/s, " + threads + " threads, " + seconds + " s slices", 1, pairs, 0.90,
                    audited -> getVariants(audited ? on : off, threads, seconds, records));
            String ingest = PairedSlices.compare("batch_write_stream (100 records a call) records/s, " + threads + " threads, " + seconds + " s slices",
                    1, pairs, 0.90, audited -> ingest(audited ? on : off, threads, seconds, slice[0]++));
            System.out.println();
            System.out.println(variants);
            System.out.println(ingest);
        } finally {
            for (Side s : List.of(off, on)) {
                s.variants().close();
                s.server().close();
            }
        }
    }

    private static Side side(String name, Path dataDir, boolean audit, Path vcf, int threads) throws Exception {
        OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dataDir.toString(),
                "demo.enabled", "false", "db.pool-size", "8", "audit.enabled", String.valueOf(audit))));
        var platform = server.platform();
        io.omix.cli.AotTrainCommand.ClientSample cs = io.omix.cli.AotTrainCommand.clientWithSample(platform);
        ClientStore.Created client = cs.client();
        String sample = cs.sample();
        try (InputStream in = Files.newInputStream(vcf)) {
            new VcfImporter(platform).importVcf(sample, in, VcfImporter.Options.DEFAULT);
        }
        AccessToken token;
        try (OAuth2 oauth2 = OAuth2.builder(client.client().clientId(), client.secret()).endpoint(server.url().toString()).build()) {
            token = oauth2.getCredentialsToken();
        }
        PrivateAppStore.Created app = new PrivateAppStore(platform).create("bench", "AUDIT_BENCH");
        List<String> entities = StreamBench.entities(server, app, threads);
        return new Side(name, server, Api.builder(token.accessToken()).endpoint(server.url().toString()).build(), sample, app, entities);
    }

    /** One load thread: works until {@code stop} and says how many units (calls, records) it did. */
    @FunctionalInterface
    private interface Worker {
        long run(int thread, AtomicBoolean stop) throws Exception;
    }

    /** Units per second of {@code threads} workers running side by side for {@code seconds}. */
    private static double perSecond(int threads, int seconds, Worker worker) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> worker.run(thread, stop)));
        }
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        long done = 0;
        for (Future<Long> f : futures) done += f.get();
        pool.shutdown();
        return done / ((System.nanoTime() - t0) / 1e9);
    }

    /** Calls per second of get_variants with 100 random ids, {@code threads} callers sharing one client, for {@code seconds}. */
    private static double getVariants(Side s, int threads, int seconds, int records) throws Exception {
        return perSecond(threads, seconds, (t, stop) -> {
            Random random = new Random(t);
            long calls = 0;
            while (!stop.get()) {
                String ids = random.ints(1, records + 1).distinct().limit(100).mapToObj(i -> "rs" + i).collect(Collectors.joining(","));
                if (s.variants().getVariants(s.sample(), ids).size() != 100) throw new IllegalStateException("100 answers expected");
                calls++;
            }
            return calls;
        });
    }

    /** Records per second through batch_write_stream, 100 a call, each thread on its own entity, new times each slice. */
    private static double ingest(Side s, int threads, int seconds, int round) throws Exception {
        return perSecond(threads, seconds, (t, stop) -> {
            String entity = s.entities().get(t);
            long written = 0;
            try (PrivateApi api = PrivateApi.builder(s.app().app().appKey(), s.app().appSecret()).endpoint(s.server().url().toString()).build()) {
                for (long next = 1_000_000_000L + round * 10_000_000L; !stop.get(); next += 100) {
                    Model r = api.batchWriteStream(StreamBench.batches(entity, next, 100).get(0), false);
                    for (Model item : r.getList("result").models()) {
                        if (!Boolean.TRUE.equals(item.getBoolean("is_succeed"))) throw new IllegalStateException(item.dumps());
                    }
                    written += 100;
                }
            }
            return written;
        });
    }
}
