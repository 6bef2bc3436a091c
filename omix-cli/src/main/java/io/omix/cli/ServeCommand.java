package io.omix.cli;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code omix serve}: runs the platform until interrupted, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the Omix server.",
                "Settings come from the config file, then OMIX_* environment variables, then these options.",
                "On an empty embedded database it creates demo data and prints how to use it."})
final class ServeCommand implements Runnable {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with settings (default: $OMIX_CONFIG, else ./omix.properties if present).")
    Path config;

    @Option(names = "--host", description = "Address to listen on (server.host).")
    String host;

    @Option(names = "--port", description = "Port to listen on (server.port).")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (data.dir).")
    Path dataDir;

    @Option(names = "--db-url", paramLabel = "JDBC_URL", description = "PostgreSQL JDBC URL instead of the embedded database (db.url).")
    String dbUrl;

    @Option(names = "--demo", negatable = true, description = "Create demo data on an empty database (default: only on the embedded one).")
    Boolean demo;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any other setting, e.g. --set db.pool-size=20.")
    Map<String, String> settings = new HashMap<>();

    @Override
    public void run() {
        Map<String, String> overrides = new HashMap<>(settings);
        if (host != null) overrides.put("server.host", host);
        if (port != null) overrides.put("server.port", String.valueOf(port));
        if (dataDir != null) overrides.put("data.dir", dataDir.toString());
        if (dbUrl != null) overrides.put("db.url", dbUrl);
        if (demo != null) overrides.put("demo.enabled", demo.toString());
        ServerConfig cfg = ServerConfig.load(configFile(), System.getenv(), overrides);

        OmixServer server = OmixServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "omix-shutdown"));
        printWelcome(System.out, server);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path configFile() {
        if (config != null) {
            if (!Files.isRegularFile(config)) throw new IllegalArgumentException("config file not found: " + config);
            return config;
        }
        String env = System.getenv("OMIX_CONFIG");
        if (env != null && !env.isBlank()) return Path.of(env);
        Path local = Path.of("omix.properties");
        return Files.isRegularFile(local) ? local : null;
    }

    static void printWelcome(PrintStream out, OmixServer server) {
        String url = server.url().toString();
        out.println();
        out.println("Omix is running at " + url + "   (Ctrl-C stops it)");
        out.println("  liveness:  curl " + url + "/ping");
        out.println("  metrics:   curl " + url + "/metrics");
        server.demoCredentials().ifPresent(file -> {
            out.println("Demo credentials (also for scripts: " + file + "):");
            try {
                Files.readAllLines(file).forEach(line -> out.println("  " + line));
            } catch (java.io.IOException e) {
                out.println("  (cannot read " + file + ": " + e.getMessage() + ")");
            }
        });
        out.println();
        out.flush();
    }
}
