package io.omix.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.OmixServer;
import io.omix.server.ServerConfig;
import io.omix.server.common.http.ServerJson;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoSeederTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aFreshInstallationGetsDemoDataOnceAndItsCredentialsFileIsPrivate(String kind) throws Exception {
        try (TestServer ts = TestServer.start(kind, Map.of("demo.enabled", "true"))) {
            Path file = ts.server().demoCredentials().orElseThrow();
            assertEquals(ts.dataDir().resolve("demo-credentials.json"), file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            JsonNode creds = ServerJson.MAPPER.readTree(file.toFile());
            assertEquals(ts.url(), creds.get("endpoint").textValue());
            assertEquals(1, ts.server().platform().database().jdbc()
                    .query("SELECT COUNT(*) FROM omix_meta WHERE name = 'demo.seeded' AND meta_value = 'done'", rs -> rs.getInt(1)).get(0));

            // A restart (or a second server on the same database) finds the demo there and does not seed again.
            ServerConfig cfg = ts.server().platform().config();
            long modified = Files.getLastModifiedTime(file).toMillis();
            ts.server().stop();
            try (OmixServer again = OmixServer.start(cfg.withPort(0))) {
                assertTrue(again.demoCredentials().isPresent());
                assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
            }
        }
    }

    /** A database in use (it has users) gets no demo data, even when demo data is asked for later: only a new one does. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDatabaseInUseGetsNoDemoData(String kind) throws Exception {
        try (TestServer ts = TestServer.start(kind, Map.of("demo.enabled", "false"))) {
            new io.omix.server.users.UserStore(ts.server().platform()).create("someone", "correct horse battery staple",
                    io.omix.server.users.User.Profile.EMPTY, false);
            ServerConfig cfg = ts.server().platform().config();
            ts.server().stop();
            try (OmixServer again = OmixServer.start(ServerConfig.defaults(Map.of("data.dir", cfg.dataDir().toString(), "server.port", "0",
                    "demo.enabled", "true", "db.url", cfg.dbUrl(), "db.user", cfg.dbUser(), "db.password", cfg.dbPassword(),
                    "security.master-key", cfg.masterKey())))) {
                assertTrue(again.demoCredentials().isEmpty());
                assertEquals(0, again.platform().database().jdbc().query("SELECT COUNT(*) FROM users WHERE username = 'demo'", rs -> rs.getInt(1)).get(0));
            }
        }
    }
}
