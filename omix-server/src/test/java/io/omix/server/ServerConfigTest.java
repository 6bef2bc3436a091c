package io.omix.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {
    @Test
    void defaultsRunOnTheEmbeddedDatabaseOnLoopback() {
        ServerConfig c = ServerConfig.defaults(Map.of());
        assertEquals("127.0.0.1", c.host());
        assertEquals(8080, c.port());
        assertTrue(c.embeddedDatabase());
        assertTrue(c.demoEnabled());
        assertEquals(Path.of("./data").toAbsolutePath().normalize(), c.dataDir());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
    }

    @Test
    void fileThenEnvironmentThenFlagsEachWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("omix.properties");
        Files.writeString(file, "server.port=9000\ndb.pool-size=3\nserver.host=0.0.0.0\n");
        ServerConfig c = ServerConfig.load(file, Map.of("OMIX_SERVER_PORT", "9001", "OMIX_DB_POOL_SIZE", "5"),
                Map.of("server.port", "9002"));
        assertEquals(9002, c.port());
        assertEquals(5, c.dbPoolSize());
        assertEquals("0.0.0.0", c.host());
    }

    @Test
    void environmentNamesFollowTheKeys() {
        assertEquals("OMIX_DB_POOL_SIZE", ServerConfig.envName("db.pool-size"));
        assertEquals("OMIX_SERVER_MAX_REQUEST_BYTES", ServerConfig.envName("server.max-request-bytes"));
    }

    @Test
    void unknownOrMalformedSettingsAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("omix.properties");
        Files.writeString(file, "server.prot=9000\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerConfig.load(file, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("server.prot"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults(Map.of("server.port", "80x")));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults(Map.of("server.port", "70000")));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults(Map.of("demo.enabled", "yes")));
        IllegalArgumentException plainToken = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.defaults(Map.of("metrics.token-sha256", "my-plain-token")));
        assertTrue(plainToken.getMessage().contains("sha256sum"), "the token's digest is asked for, never the token");
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults(Map.of("metrics.token-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")), "the digest of an empty token");
        IllegalArgumentException starved = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.defaults(Map.of("tasks.workers", "8", "db.pool-size", "10")));
        assertTrue(starved.getMessage().contains("db.pool-size"), "task workers that would hold every connection: " + starved.getMessage());
        assertEquals(5, ServerConfig.defaults(Map.of("tasks.workers", "5", "db.pool-size", "10")).taskWorkers());
        for (String bad : new String[] {"omix.example.org", "ftp://omix.example.org", "https://", "https://user:pw@omix.example.org"}) {
            assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults(Map.of("server.public-url", bad)), bad);
        }
        assertEquals("https://omix.example.org/base", ServerConfig.defaults(Map.of("server.public-url", "https://omix.example.org/base")).publicUrl());
        assertEquals("http://omix_server:8080", ServerConfig.defaults(Map.of("server.public-url", "http://omix_server:8080")).publicUrl(),
                "a compose service's name");
    }

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    /** Demo users and clients (their secrets in a file of the data directory) only where others cannot reach them, unless asked. */
    @Test
    void aServerOthersReachGetsNoDemoDataUnlessAsked() {
        assertTrue(ServerConfig.defaults(Map.of("server.host", "localhost")).demoEnabled());
        assertTrue(ServerConfig.defaults(Map.of("server.host", "::1")).demoEnabled());
        assertFalse(ServerConfig.defaults(Map.of("server.host", "0.0.0.0")).demoEnabled());
        assertFalse(ServerConfig.defaults(Map.of("server.host", "10.0.0.5")).demoEnabled());
        assertTrue(ServerConfig.defaults(Map.of("server.host", "0.0.0.0", "demo.enabled", "true")).demoEnabled());
        assertFalse(ServerConfig.defaults(Map.of("server.public-url", "https://omix.example.org")).demoEnabled(), "behind a proxy");
        assertTrue(ServerConfig.defaults(Map.of("server.public-url", "http://localhost:8080")).demoEnabled());
    }

    @Test
    void postgresDeploymentsGetNoDemoDataUnlessAsked() {
        ServerConfig pg = ServerConfig.defaults(Map.of("db.url", "jdbc:postgresql://localhost/omix", "security.master-key", KEY));
        assertFalse(pg.demoEnabled());
        assertTrue(ServerConfig.defaults(Map.of("db.url", "jdbc:postgresql://localhost/omix", "security.master-key", KEY,
                "demo.enabled", "true")).demoEnabled());
    }

    @Test
    void sharedDatabasesNeedAnExplicitMasterKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.defaults(Map.of("db.url", "jdbc:postgresql://localhost/omix")));
        assertTrue(e.getMessage().contains("security.master-key"));
    }

    @Test
    void passwordsAndKeysNeverAppearInToString() {
        ServerConfig c = ServerConfig.defaults(Map.of("db.url", "jdbc:postgresql://h/omix?user=a&password=s3cret", "db.password", "s3cret",
                "security.master-key", KEY));
        assertFalse(c.toString().contains("s3cret"));
        assertFalse(c.toString().contains(KEY));
    }
}
