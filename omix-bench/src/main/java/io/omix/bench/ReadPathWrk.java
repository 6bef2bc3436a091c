package io.omix.bench;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token-authenticated reads against the server's ceiling (the hot-path issue: at least 60 % of
 * {@code /ping} under the same wrk run). One server on the embedded defaults (audit trail and rate
 * limiter on, as users run it), a client-credentials token; wrk (2 threads, 8 connections) alternates
 * {@code GET /ping} and {@code GET /samples/{id}} in paired slices and prints each pair's ratio.
 * Usage: java [-DtokenCache=0] [-Daudit=false] -cp omix-bench.jar io.omix.bench.ReadPathWrk [seconds per slice=5] [pairs=6] [reads-only]
 */
public final class ReadPathWrk {
    private ReadPathWrk() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir",
                BenchServer.scratchDir("omix-readpath-bench-").toString(), "demo.enabled", "false", "db.pool-size", "8",
                // counted, never refusing: the limiter's cost is in, its refusals are not
                "ratelimit.per-client-per-minute", "100000000", "audit.enabled", System.getProperty("audit", "true"), "security.token-cache-millis", System.getProperty("tokenCache", "500"))))) {
            VariantBench.ClientSample cs = VariantBench.clientWithSample(server.platform());
            String token = new TokenStore(server.platform()).issue(TokenStore.newFamily(), cs.client().client().clientId(), null,
                    OAuthClient.CLIENT_CREDENTIALS, "samples", null, false).accessToken();
            String base = server.url().toString().replaceAll("/$", "");
            if (args.length > 2 && args[2].equals("reads-only")) {
                // For a profiler: reads alone, one long slice.
                run(base + "/samples/" + cs.sample(), token, seconds);
                return;
            }
            System.out.println();
            System.out.println(PairedSlices.compare("GET /samples/{id} (bearer token) against GET /ping under wrk (2 threads, 8 connections), req/s, "
                            + seconds + " s slices", 2, pairs, 0.60,
                    read -> run(read ? base + "/samples/" + cs.sample() : base + "/ping", token, seconds)));
        }
    }

    private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)");

    static double run(String url, String token, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c8", "-d" + seconds + "s", "--latency", "-H", "Authorization: Bearer " + token, url);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed:\n" + out);
        if (out.contains("Non-2xx")) throw new IllegalStateException(url + ": refusals under wrk:\n" + out);
        Matcher m = PER_SECOND.matcher(out);
        if (!m.find()) throw new IllegalStateException("no Requests/sec in:\n" + out);
        Matcher p99 = P99.matcher(out);
        if (p99.find()) System.out.printf("  %s: %s req/s, p99 %s %s%n", url.replaceAll(".*/(ping|samples)", "$1"), m.group(1), p99.group(1), p99.group(2));
        return Double.parseDouble(m.group(1));
    }
}
