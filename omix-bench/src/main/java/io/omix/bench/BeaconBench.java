package io.omix.bench;

import io.omix.sdk.AccessToken;
import io.omix.sdk.OAuth2;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.beacon.BeaconPublication;
import io.omix.server.common.auth.Caller;
import io.omix.server.oauth.ClientStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.variants.VcfImporter;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * GA4GH Beacon g_variants latency over {@code samples} samples of {@code perSample} calls each (20 x 50,000 =
 * 1M calls by default), in a project published at count, everything else switched on (audit trail, rate
 * limits; the probe budget raised so that it never refuses): anonymous boolean queries by rs id, token count
 * queries by rs id and by a 10 kb range, sequential, interleaved so that each kind meets the same warm pages.
 * Usage: java -cp omix-bench.jar io.omix.bench.BeaconBench [samples=20] [perSample=50000] [requests=2000]
 */
public final class BeaconBench {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private BeaconBench() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int perSample = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path dir = BenchServer.scratchDir("omix-beacon-bench-");
        Path vcf = io.omix.cli.SyntheticVcf.write(dir.resolve("bench.vcf"), perSample);
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir", dir.resolve("data").toString(),
                "demo.enabled", "false", "ratelimit.per-client-per-minute", "100000000", "beacon.probes-per-hour", "100000000")))) {
            var platform = server.platform();
            // A laboratory's client registers the samples; the asking application is another client, so none are its own.
            ClientStore.Created lab = new ClientStore(platform).create("lab", List.of(), Set.of("client_credentials"), Set.of("samples", "variants"), false, null);
            String project = new SampleStore(platform).createProject("cohort", 1, null, null, null).projectId();
            Caller labCaller = Caller.clientToken(lab.client().clientId(), Set.of("samples"));
            long importStart = System.nanoTime();
            for (int i = 0; i < samples; i++) {
                String sample = new SampleStore(platform).register(labCaller, new SampleStore.Registration("C-" + i, 11, project, false, 1, null, Map.of()));
                try (InputStream in = Files.newInputStream(vcf)) {
                    new VcfImporter(platform).importVcf(sample, in, VcfImporter.Options.DEFAULT);
                }
            }
            System.out.printf("%,d samples x %,d calls = %,d calls imported in %.1f s%n", samples, perSample, (long) samples * perSample,
                    (System.nanoTime() - importStart) / 1e9);
            BeaconPublication.publish(platform.database().jdbc(), project, "count");
            ClientStore.Created app = new ClientStore(platform).create("app", List.of(), Set.of("client_credentials"), Set.of("samples", "variants"), false, null);
            String token;
            try (OAuth2 oauth2 = OAuth2.builder(app.client().clientId(), app.secret()).endpoint(server.url().toString()).build()) {
                AccessToken t = oauth2.getCredentialsToken();
                token = t.accessToken();
            }
            System.gc();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = server.url() + "/beacon/v2/g_variants?";
            Random random = new Random(11);
            String[] names = {"anonymous boolean, by rs id", "token count, by rs id", "token count, 10 kb range"};
            long[][] nanos = new long[3][requests];
            for (int i = -300; i < requests; i++) {
                int rs = 1 + random.nextInt(perSample);
                // SyntheticVcf spreads n records over 22 chromosomes, 100 bp apart.
                int perChrom = perSample / 22 + 1;
                int chrom = 1 + random.nextInt(22);
                long start = (long) random.nextInt(Math.max(1, perChrom - 100)) * 100;
                String[] queries = {"variantId=rs" + rs, "variantId=rs" + rs + "&requestedGranularity=count",
                        "referenceName=" + chrom + "&start=" + start + "&end=" + (start + 10_000) + "&requestedGranularity=count"};
                for (int turn = 0; turn < 3; turn++) {
                    int kind = (i + turn + 300) % 3;
                    long t0 = System.nanoTime();
                    call(http, base + queries[kind], kind == 0 ? null : token, kind == 0 ? "boolean" : "count");
                    if (i >= 0) nanos[kind][i] = System.nanoTime() - t0;
                }
            }
            System.out.printf("%nBeacon g_variants over %,d calls in %d samples, %d sequential requests each (target p99 < 50 ms):%n",
                    (long) samples * perSample, samples, requests);
            for (int k = 0; k < 3; k++) {
                System.out.printf("  %-30s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", names[k], Percentiles.ms(nanos[k], 50), Percentiles.ms(nanos[k], 99), Percentiles.ms(nanos[k], 100));
            }
        }
    }

    private static void call(HttpClient http, String url, String token, String granularity) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(18));
        if (token != null) b.header("Authorization", "Bearer " + token);
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + " " + new String(r.body()));
        String returned = JSON.readTree(r.body()).at("/meta/returnedGranularity").asText();
        if (!returned.equals(granularity)) throw new IllegalStateException("answered at " + returned + ", not " + granularity);
    }

}
