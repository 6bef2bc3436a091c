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
 * What the rate limiter costs (the application-developers issue: at most 5 % of GET /samples/{id}
 * at the default limit). Two servers in this JVM with the same data, one with
 * {@code ratelimit.per-client-per-minute=0} (no limit), one with the default; wrk (2 threads, 8
 * connections, a client-credentials bearer token) alternates between them ({@link PairedSlices}). The default limit is raised for the
 * measurement so that wrk never meets it: what is measured is the counting, not refusals.
 * Usage: java -cp omix-bench.jar io.omix.bench.RateLimitCostWrk [seconds per slice=5] [pairs=8]
 */
public final class RateLimitCostWrk {
    private RateLimitCostWrk() {}

    record Side(String name, OmixServer server, String token, String sample) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Side off = side("limiter off", "0");
        Side on = side("limiter on", "100000000");
        try {
            System.out.println();
            System.out.println(PairedSlices.compare("GET /samples/{id} under wrk (2 threads, 8 connections) req/s, " + seconds + " s slices",
                    2, pairs, 0.95, limited -> run(limited ? on : off, seconds)));
        } finally {
            off.server().close();
            on.server().close();
        }
    }

    private static Side side(String name, String perClient) throws Exception {
        OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir",
                BenchServer.scratchDir("omix-ratelimit-bench-").toString(), "demo.enabled", "false", "db.pool-size", "8",
                "ratelimit.per-client-per-minute", perClient)));
        io.omix.cli.AotTrainCommand.ClientSample cs = io.omix.cli.AotTrainCommand.clientWithSample(server.platform());
        String token = new TokenStore(server.platform()).issue(TokenStore.newFamily(), cs.client().client().clientId(), null,
                OAuthClient.CLIENT_CREDENTIALS, "samples", null, false).accessToken();
        return new Side(name, server, token, cs.sample());
    }

    private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    private static double run(Side side, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c8", "-d" + seconds + "s", "-H", "Authorization: Bearer " + side.token(),
                side.server().url().toString().replaceAll("/$", "") + "/samples/" + side.sample());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed:\n" + out);
        if (out.contains("Non-2xx")) throw new IllegalStateException(side.name() + ": refusals under wrk:\n" + out);
        Matcher m = PER_SECOND.matcher(out);
        if (!m.find()) throw new IllegalStateException("no Requests/sec in:\n" + out);
        return Double.parseDouble(m.group(1));
    }
}
