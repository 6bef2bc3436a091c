package io.omix.bench;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token grants through the token endpoint under wrk (2 threads, 8 connections): {@code POST /oauth2/access_token} with
 * {@code grant_type=client_credentials}, one application, on the embedded defaults (audit trail and rate limiter on, the
 * limiter counting without refusing). Each grant verifies the secret and commits its token. Prints grants/s and p99 per slice.
 * Usage: java [-DtokenBudget=N] -cp omix-bench.jar io.omix.bench.TokenGrantWrk [seconds per slice=10] [slices=3]
 * <p>{@code -DtokenBudget=N} sets {@code ratelimit.tokens-per-client-per-minute} (0, the default here, is off; a number
 * beyond wrk's reach counts every grant without refusing one, to see what the count costs).
 */
public final class TokenGrantWrk {
    private TokenGrantWrk() {}

    private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)");

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (OmixServer server = OmixServer.start(ServerConfig.defaults(Map.of("server.port", "0", "data.dir",
                BenchServer.scratchDir("omix-grant-bench-").toString(), "demo.enabled", "false",
                "ratelimit.per-client-per-minute", "100000000", "ratelimit.per-user-per-minute", "100000000", "ratelimit.tokens-per-client-per-minute",
                System.getProperty("tokenBudget", "0"))))) {
            ClientStore.Created client = new ClientStore(server.platform()).create("grant-bench", List.of(), Set.of(OAuthClient.CLIENT_CREDENTIALS),
                    Set.of("samples"), false, null);
            String body = "grant_type=client_credentials&client_id=" + client.client().clientId() + "&client_secret=" + client.secret();
            Path script = Files.createTempFile("omix-grant-", ".lua");
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = \"" + body + "\"\n"
                    + "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n");
            String url = server.url().toString().replaceAll("/$", "") + "/oauth2/access_token";
            double total = 0;
            for (int i = 0; i < slices + 1; i++) {
                ProcessBuilder pb = new ProcessBuilder("wrk", "-t2", "-c8", "-d" + seconds + "s", "--latency", "-s", script.toString(), url);
                pb.redirectErrorStream(true);
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0 || out.contains("Non-2xx")) throw new IllegalStateException("wrk:\n" + out);
                Matcher m = PER_SECOND.matcher(out);
                Matcher p99 = P99.matcher(out);
                if (!m.find() || !p99.find()) throw new IllegalStateException("no figures in:\n" + out);
                double rate = Double.parseDouble(m.group(1));
                System.out.printf("%s slice %d: %,.0f grants/s, p99 %s %s%n", i == 0 ? "warm-up" : "measured", i, rate, p99.group(1), p99.group(2));
                if (i > 0) total += rate;
            }
            System.out.printf("token grants (client credentials) under wrk: %,.0f grants/s over %d slices of %d s%n", total / slices, slices, seconds);
        }
    }
}
