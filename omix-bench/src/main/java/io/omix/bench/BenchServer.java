package io.omix.bench;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The server a benchmark measures: a random port, a fresh data directory, no demo data; PostgreSQL when given. */
final class BenchServer {
    private BenchServer() {}

    /**
     * @param name        names the temporary data directory
     * @param args        the benchmark's arguments; from {@code jdbcIndex} on, optional {@code jdbcUrl user password}
     */
    /**
     * A temporary directory removed when the JVM exits: a benchmark's databases and files are thrown
     * away (StreamRangeBench's database reaches 12 GB).
     */
    static java.nio.file.Path scratchDir(String prefix) throws IOException {
        java.nio.file.Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> io.omix.server.common.io.FileTrees.deleteQuietly(dir)));
        return dir;
    }

    static OmixServer start(String name, String[] args, int jdbcIndex) throws IOException {
        java.nio.file.Path dataDir = scratchDir("omix-" + name + "-bench-");
        // Benchmarks call far above any application's rate: the limiter counts, but its limit is out of reach.
        Map<String, String> settings = new HashMap<>(Map.of("server.port", "0", "data.dir", dataDir.toString(),
                "demo.enabled", "false", "db.pool-size", "8", "ratelimit.per-client-per-minute", "100000000",
                "ratelimit.per-user-per-minute", "100000000", "ratelimit.tokens-per-client-per-minute", "0"));
        // -Daudit=false: the same run without the audit trail, to see its share.
        settings.put("audit.enabled", System.getProperty("audit", "true"));
        useDatabase(settings, args, jdbcIndex);
        return OmixServer.start(ServerConfig.defaults(settings));
    }

    /** PostgreSQL when {@code args} name one from {@code jdbcIndex} on (url, user, password); the embedded store otherwise. */
    static void useDatabase(Map<String, String> settings, String[] args, int jdbcIndex) {
        if (args.length > jdbcIndex) {
            settings.put("db.url", args[jdbcIndex]);
            settings.put("db.user", args[jdbcIndex + 1]);
            settings.put("db.password", args[jdbcIndex + 2]);
            // A throwaway key: a benchmark's database holds nothing worth sealing.
            settings.put("security.master-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        }
    }
}
