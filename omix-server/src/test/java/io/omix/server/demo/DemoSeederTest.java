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
}
