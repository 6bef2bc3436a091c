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
    static OmixServer start(String name, String[] args, int jdbcIndex) throws IOException {
        Map<String, String> settings = new HashMap<>(Map.of("server.port", "0", "data.dir",
                Files.createTempDirectory("omix-" + name + "-bench-").toString(), "demo.enabled", "false", "db.pool-size", "8"));
        if (args.length > jdbcIndex) {
            settings.put("db.url", args[jdbcIndex]);
            settings.put("db.user", args[jdbcIndex + 1]);
            settings.put("db.password", args[jdbcIndex + 2]);
            // A throwaway key: a benchmark's database holds nothing worth sealing.
            settings.put("security.master-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        }
        return OmixServer.start(ServerConfig.defaults(settings));
    }
}
