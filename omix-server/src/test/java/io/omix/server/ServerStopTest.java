package io.omix.server;

import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a stopped server leaves behind on the machine. */
class ServerStopTest {
    @Test
    void theTemporaryModelsDirectoryGoesWithTheServer() throws Exception {
        Path root;
        try (TestServer ts = TestServer.start()) {
            root = ts.server().platform().config().modelsRoot();
            assertTrue(Files.isDirectory(root));
            Files.createDirectories(root.resolve("Echo1").resolve("1"));
            Files.writeString(root.resolve("Echo1").resolve("1").resolve("index.py"), "def handler(event, context): return 1\n");
        }
        assertFalse(Files.exists(root), "unpacked code under the temporary directory is removed at stop: " + root);
    }

    @Test
    void aConfiguredModelsDirectoryIsKept(@TempDir Path dir) throws Exception {
        Path configured = dir.resolve("models");
        try (TestServer ts = TestServer.builder().setting("models.dir", configured.toString()).start()) {
            Files.writeString(configured.resolve("kept.txt"), "x");
        }
        assertTrue(Files.exists(configured.resolve("kept.txt")));
    }

    /**
     * A server whose start fails after it began listening (a capability's own start, here) lets its port and its database
     * go: an embedder that retries starts on the same port and data directory (before, Jetty kept the port).
     */
    @Test
    void aStartThatFailsAfterListeningLetsThePortAndTheDatabaseGo(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        java.util.Map<String, String> settings = java.util.Map.of("server.host", "127.0.0.1", "server.port", String.valueOf(port),
                "data.dir", dir.toString(), "demo.enabled", "false");
        IllegalStateException failed = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> OmixServer.builder(ServerConfig.defaults(settings)).capability(platform -> new Capability() {
                    @Override
                    public void routes(io.omix.server.common.http.Routes routes) {}

                    @Override
                    public void start() {
                        throw new IllegalStateException("this capability cannot start");
                    }
                }).start());
        org.junit.jupiter.api.Assertions.assertEquals("this capability cannot start", failed.getMessage());
        try (java.net.ServerSocket again = new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertTrue(again.isBound(), "the port is free again");
        }
        try (OmixServer server = OmixServer.builder(ServerConfig.defaults(settings)).start()) {
            assertTrue(server.port() == port);
        }
    }

    /** The models' channel, put in the temporary directory when the models' root is too deep for a socket's path, goes at stop. */
    @Test
    void theChannelsDirectoryInTheTemporaryDirectoryGoesWithTheServer(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("a-models-directory-deep-enough".repeat(4));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.function.Supplier<java.util.Set<Path>> channels = () -> {
            try (var list = Files.list(tmp)) {
                return list.filter(p -> p.getFileName().toString().startsWith("omix-channel-")).collect(java.util.stream.Collectors.toSet());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        java.util.Set<Path> before = channels.get();
        java.util.Set<Path> made = new java.util.HashSet<>();
        try (TestServer ts = TestServer.builder().setting("models.dir", deep.toString()).start()) {
            made.addAll(channels.get());
            made.removeAll(before);
            org.junit.jupiter.api.Assertions.assertEquals(1, made.size(), "the channel's socket is in a directory of its own: " + made);
        }
        for (Path p : made) assertFalse(Files.exists(p), p + " stays after the server stopped");
    }
}
