package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK against a server on each database kind: embedded and PostgreSQL. */
class DatabasesTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theSdkWorksAgainstEveryDatabaseKind(String kind) {
        try (TestServer server = TestServer.start(kind, ProbeCapability::new);
             OAuth2 oauth2 = OAuth2.builder("id", "secret").endpoint(server.url()).build();
             HttpTransport t = new HttpTransport(new ClientConfig(URI.create(server.url()), 0, Duration.ofSeconds(5), false,
                     Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)))) {
            assertTrue(oauth2.alive());
            assertEquals("ok", t.envelope(ApiRequest.get("/test/echo").query("name", "ok")).at("/data/name").textValue());
            assertEquals(41001, assertThrows(ApiException.class, () -> t.envelope(ApiRequest.get("/test/echo"))).code());
        }
    }
}
