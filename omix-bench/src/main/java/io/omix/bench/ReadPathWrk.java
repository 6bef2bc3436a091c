package io.omix.bench;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.http.ServerJson;
import io.omix.server.common.time.PartialTime;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.streams.StreamStore;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import io.omix.server.variants.VcfImporter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token-authenticated reads against the server's ceiling (the hot-path issue: at least 60 % of
 * {@code /ping} under the same wrk run). One server on the embedded defaults (audit trail and rate
 * limiter on, as users run it); a person with a sample, 10,000 variant calls and 1,000 stream records,
 * and a user token. For each read the issue names ({@code /samples/{id}}, {@code /variants} with three
 * ids, {@code /profile}, the first page of {@code /stream/range}), wrk (2 threads, 8 connections)
 * alternates it with {@code GET /ping} in paired slices and prints each pair's ratio.
 * Usage: java [-DtokenCache=0] [-Daudit=false] -cp omix-bench.jar io.omix.bench.ReadPathWrk [seconds per slice=5] [pairs=6] [samples|variants|profile|range|all|held|ceiling=all] [reads-only]
 * ({@code held}: get_variants with the application's own token, held to the person's consent, against the person's token;
 * {@code ceiling}: the bytes of the first {@code /stream/range} page answered from memory by a route of this benchmark's own,
 * no credential, no database, no audit, against {@code /ping}: what moving a page of that size costs on the machine, the
 * ceiling of any server's ratio for that read)
 */
public final class ReadPathWrk {
    private ReadPathWrk() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        String which = args.length > 2 ? args[2] : "all";
        AtomicReference<byte[]> page = new AtomicReference<>(new byte[0]);
        try (OmixServer server = OmixServer.builder(ServerConfig.defaults(Map.of("server.port", "0", "data.dir",
                BenchServer.scratchDir("omix-readpath-bench-").toString(), "demo.enabled", "false", "db.pool-size", "8",
                // counted, never refusing: the limiter's cost is in, its refusals are not
                "ratelimit.per-client-per-minute", "100000000", "ratelimit.per-user-per-minute", "100000000",
                "audit.enabled", System.getProperty("audit", "true"), "security.token-cache-millis", System.getProperty("tokenCache", "500"))))
                .capability(platform -> routes -> routes.plain(io.javalin.http.HandlerType.GET, PAGE_FROM_MEMORY,
                        ctx -> ctx.contentType("application/json; charset=utf-8").result(page.get())))
                .start()) {
            var platform = server.platform();
            ClientStore.Created client = new ClientStore(platform).create("read-bench", List.of("http://127.0.0.1/cb"),
                    Set.of("authorization_code", "client_credentials"),
                    Set.of("samples", "variants", "profile", "streams"), false, null);
            User person = new UserStore(platform).create("reader", "reader-password-1", User.Profile.EMPTY, false);
            String project = new SampleStore(platform).createProject("read-bench", 1, null, null, null).projectId();
            new io.omix.server.oauth.ConsentStore(platform).remember(person.userId(), client.client().clientId(), Set.of("samples", "variants", "streams"));
            String sample = new SampleStore(platform).register(Caller.userToken(client.client().clientId(), person.userId(), Set.of("samples")),
                    new SampleStore.Registration("R-1", 11, project, false, 1, null, Map.of()));
            Path vcf = io.omix.cli.SyntheticVcf.write(BenchServer.scratchDir("omix-readpath-vcf-").resolve("calls.vcf"), 10_000);
            try (var in = java.nio.file.Files.newInputStream(vcf)) {
                new VcfImporter(platform).importVcf(sample, in, VcfImporter.Options.DEFAULT);
            }
            StreamStore streams = new StreamStore(platform);
            List<StreamStore.NewRecord> records = new ArrayList<>();
            OffsetDateTime origin = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(8));
            for (int i = 0; i < 1000; i++) {
                ObjectNode data = ServerJson.MAPPER.createObjectNode().put("value", 55 + i % 40).put("unit", "beats/minute");
                records.add(new StreamStore.NewRecord(streams.entityOf(sample), StreamBench.HEART_RATE,
                        PartialTime.parse(origin.plusMinutes(i).toString()), data));
            }
            streams.write(StreamStore.OPEN_PLATFORM, records, false);
            String token = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), person.userId(), OAuthClient.AUTHORIZATION_CODE,
                    "samples variants profile streams", null, false).accessToken();
            // The application's own token: it reads the sample the person registered through it as far as her consent goes.
            String appToken = new TokenStore(platform).issue(TokenStore.newFamily(), client.client().clientId(), null, OAuthClient.CLIENT_CREDENTIALS,
                    "samples variants profile streams", null, false).accessToken();
            String base = server.url().toString().replaceAll("/$", "");
            Map<String, String> reads = new LinkedHashMap<>();
            reads.put("samples", "/samples/" + sample);
            reads.put("variants", "/variants?biosample_id=" + sample + "&rsids=rs1,rs500,rs9999");
            reads.put("profile", "/profile");
            reads.put("range", "/stream/range?data_element_id=" + StreamBench.HEART_RATE + "&biosample_id=" + sample + "&limit=100");
            // The open platform answers its refusals with HTTP 200: each read is checked once to answer data.
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (String path : reads.values()) {
                String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (!body.startsWith("{\"code\":0")) throw new IllegalStateException(path + " answered " + body);
            }
            page.set(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + reads.get("range"))).header("Authorization", "Bearer " + token).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body());
            if (args.length > 3 && args[3].equals("reads-only")) {
                // For a profiler: one read alone, one long slice.
                run(base + reads.get(which), token, seconds);
                return;
            }
            List<String> summaries = new ArrayList<>();
            for (Map.Entry<String, String> read : reads.entrySet()) {
                if (!which.equals("all") && !which.equals(read.getKey())) continue;
                summaries.add(PairedSlices.compare("GET " + read.getValue().replaceAll("\\?.*", "").replace(sample, "{id}")
                                + " (user token) against GET /ping under wrk (2 threads, 8 connections), req/s, " + seconds + " s slices", 2, pairs, 0.60,
                        isRead -> run(isRead ? base + read.getValue() : base + "/ping", token, seconds)));
            }
            if (which.equals("ceiling") || which.equals("all")) {
                summaries.add(PairedSlices.compare("GET " + PAGE_FROM_MEMORY + " (the first /stream/range page, " + page.get().length
                                + " bytes, answered from memory: no credential, database or audit) against GET /ping under wrk (2 threads, 8 connections), req/s, "
                                + seconds + " s slices", 2, pairs, 0.60,
                        fromMemory -> run(fromMemory ? base + PAGE_FROM_MEMORY : base + "/ping", token, seconds)));
            }
            if (which.equals("held")) {
                // What holding an application's own token to the person's consent costs a read: the application's token reading
                // the sample the person registered through it (on: held) and one it registered itself with the same calls (off).
                String own = new SampleStore(platform).register(Caller.clientToken(client.client().clientId(), Set.of("samples")),
                        new SampleStore.Registration("R-2", 11, project, false, 1, null, Map.of()));
                try (var in = java.nio.file.Files.newInputStream(vcf)) {
                    new VcfImporter(platform).importVcf(own, in, VcfImporter.Options.DEFAULT);
                }
                String held = base + reads.get("variants");
                String unheld = held.replace(sample, own);
                for (String url : List.of(held, unheld)) {
                    String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + appToken).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    if (!body.startsWith("{\"code\":0")) throw new IllegalStateException(url + " answered the application's token " + body);
                }
                summaries.add(PairedSlices.compare("GET /variants (3 ids) with the application's own token: a sample held to the person's consent (on)"
                        + " against one it registered itself (off), wrk 2 threads 8 connections, req/s, " + seconds + " s slices", 2, pairs, 0.90,
                        isHeld -> run(isHeld ? held : unheld, appToken, seconds)));
            }
            System.out.println();
            summaries.forEach(System.out::println);
        }
    }

    /** This benchmark's own route (not the platform's): the range page's bytes, as they were answered once. */
    private static final String PAGE_FROM_MEMORY = "/bench/range-page-from-memory";

    private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in");
    private static final Pattern P99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)");

    static double run(String url, String token, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c8", "-d" + seconds + "s", "--latency", "-H", "Authorization: Bearer " + token, url);
        pb.redirectErrorStream(true);
        ThreadCpu before = ThreadCpu.now();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed:\n" + out);
        ThreadCpu after = ThreadCpu.now();
        if (out.contains("Non-2xx")) throw new IllegalStateException(url + ": refusals under wrk:\n" + out);
        Matcher m = PER_SECOND.matcher(out);
        if (!m.find()) throw new IllegalStateException("no Requests/sec in:\n" + out);
        Matcher p99 = P99.matcher(out);
        Matcher requests = REQUESTS.matcher(out);
        String cpu = before != null && after != null && requests.find() ? "; " + after.perRequest(before, Long.parseLong(requests.group(1))) : "";
        if (p99.find()) System.out.printf("  %s: %s req/s, p99 %s %s%s%n", url.replaceAll("^https?://[^/]+", "").replaceAll("\\?.*", ""), m.group(1), p99.group(1), p99.group(2), cpu);
        return Double.parseDouble(m.group(1));
    }
}
