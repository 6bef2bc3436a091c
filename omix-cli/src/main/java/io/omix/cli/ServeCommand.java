package io.omix.cli;

import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code omix serve}: runs the platform until interrupted, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the Omix server.",
                "Settings come from the config file, then OMIX_* environment variables, then these options.",
                "On an empty embedded database it creates demo data and prints how to use it."})
final class ServeCommand implements Runnable {
    @Mixin
    ConfigOptions options = new ConfigOptions();

    @Option(names = "--host", description = "Address to listen on (server.host).")
    String host;

    @Option(names = "--port", description = "Port to listen on (server.port).")
    Integer port;

    @Option(names = "--demo", negatable = true, description = "Create demo data on an empty database (default: only on the embedded one behind a loopback address).")
    Boolean demo;

    @Override
    public void run() {
        Map<String, String> overrides = new HashMap<>();
        if (host != null) overrides.put("server.host", host);
        if (port != null) overrides.put("server.port", String.valueOf(port));
        if (demo != null) overrides.put("demo.enabled", demo.toString());
        ServerConfig cfg = options.load(overrides);

        OmixServer server = OmixServer.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C and SIGTERM stop the server here, before the JVM's shutdown begins: requests and tasks in
        // flight finish, then the database and the object store close. Shutdown hooks run all at once, and
        // the embedded database's own hook would close it under requests still running.
        Runnable graceful = () -> {
            server.stop();
            stopped.countDown();
            System.exit(0);
        };
        StopSignals.handle("omix-stop", signal -> graceful.run()); // where the JVM refuses, the shutdown hook below still stops the server
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

    static void printWelcome(PrintStream out, OmixServer server) {
        String url = server.url().toString();
        out.println();
        out.println("Omix is running at " + url + "   (Ctrl-C stops it)");
        out.println("  console:   " + url + "/console   (sign in as a user below, or as the operator)");
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
