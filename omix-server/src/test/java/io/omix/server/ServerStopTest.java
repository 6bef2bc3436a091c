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
}
