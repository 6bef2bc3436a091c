package io.omix.bench;

import io.omix.cli.AotTrainCommand;
import io.omix.sdk.OAuth2;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.variants.VcfImporter;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a fresh server takes to reach its steady get_variants rate: after a VCF import, N clients
 * call get_variants with 100 random rs ids as fast as they can, and the rate is printed for each
 * window, with the embedded store's page-cache figures (file reads, hit ratio), so that a rate still
 * rising with a warm cache shows compiled code, not data, warming up.
 * Usage: java -cp omix-bench.jar io.omix.bench.VariantWarmupBench [records=1000000] [clients=4] [windows=8] [seconds per window=8]
 */
public final class VariantWarmupBench {
    private VariantWarmupBench() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int windows = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        Path dir = BenchServer.scratchDir("omix-variant-warmup-");
        Path vcf = io.omix.cli.SyntheticVcf.write(dir.resolve("bench.vcf"), records);
        Map<String, String> settings = Map.of("server.port", "0", "data.dir", dir.resolve("data").toString(), "demo.enabled", "false",
                "ratelimit.per-client-per-minute", "100000000");
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(settings))) {
            var platform = server.platform();
            AotTrainCommand.ClientSample cs = AotTrainCommand.clientWithSample(platform);
            try (InputStream in = Files.newInputStream(vcf)) {
                new VcfImporter(platform).importVcf(cs.sample(), in, VcfImporter.Options.DEFAULT);
            }
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(cs.client().client().clientId(), cs.client().secret()).endpoint(server.url().toString()).build()) {
                token = oauth2.getCredentialsToken().accessToken();
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = server.url() + "/variants?biosample_id=" + cs.sample() + "&rsids=";
            System.out.printf("get_variants, 100 random rs ids of %,d calls, %d clients as fast as they can, %d s windows:%n", records, clients, seconds);
            for (int window = 0; window < windows; window++) {
                AtomicLong calls = new AtomicLong();
                long until = System.nanoTime() + seconds * 1_000_000_000L;
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    Random random = new Random(window * 1_000L + c);
                    Thread client = new Thread(() -> {
                        try {
                            while (System.nanoTime() < until) {
                                String ids = VariantBench.ids(random, records);
                                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + ids)).header("Authorization", "Bearer " + token).build(),
                                        HttpResponse.BodyHandlers.ofByteArray());
                                if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                                calls.incrementAndGet();
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    client.start();
                    threads.add(client);
                }
                for (Thread t : threads) t.join();
                System.out.printf("  %3d - %3d s: %,6.0f calls/s   %s%n", window * seconds, (window + 1) * seconds, calls.get() / (double) seconds, cacheFigures(platform));
            }
        }
    }

    /** The embedded store's file reads so far and its page cache's hit ratio. */
    private static String cacheFigures(io.omix.server.Platform platform) throws Exception {
        try (Connection c = platform.database().dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME IN ('info.FILE_READ', 'info.CACHE_HIT_RATIO')")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) out.append(rs.getString(1).substring(5).toLowerCase(java.util.Locale.ROOT)).append(' ').append(rs.getString(2)).append("  ");
            return out.toString().trim();
        }
    }
}
