package io.omix.server.samples;

import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Applications' access to samples written before V48: what a revocation took as registered on a person's behalf (the
 * application registered it, one person is bound to it, and she has a consent with the application) is held to her
 * consent from now on; what the application registered for nobody, shared samples, and samples of a person without a
 * consent (an operator bound them) keep the application's own scopes.
 */
class SampleClientsUpgradeTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void accessWrittenBeforeIsMarkedForThePersonItWasRegisteredFor(String kind) {
        try (TestServer ts = TestServer.builder().database(kind).upgradingFrom("47", c -> {
            OffsetDateTime now = OffsetDateTime.now();
            for (String user : new String[] {"u-alice", "u-bob", "u-carol"}) {
                Jdbc.update(c, "INSERT INTO users (user_id, username, password_hash, created_at) VALUES (?, ?, 'x', ?)", user, user, now);
            }
            for (String client : new String[] {"lab", "other"}) {
                Jdbc.update(c, "INSERT INTO oauth_clients (client_id, name, redirect_uris, grant_types, scopes, created_at) VALUES (?, ?, '', 'client_credentials', 'samples variants', ?)",
                        client, client, now);
            }
            Jdbc.update(c, "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at, updated_at) VALUES ('u-alice', 'lab', 'samples', ?, ?)", now, now);
            Jdbc.update(c, "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at, updated_at) VALUES ('u-bob', 'lab', 'samples', ?, ?)", now, now);
            sample(c, "E-A00000000001", "lab", now, "u-alice");            // for alice: she consented to the lab
            sample(c, "E-A00000000002", "lab", now);                       // the lab's own, nobody bound
            sample(c, "E-A00000000003", "lab", now, "u-alice", "u-bob");  // shared
            sample(c, "E-A00000000004", "lab", now, "u-carol");           // an operator bound carol, who never consented
            sample(c, "E-A00000000005", "other", now, "u-alice");         // registered by another client, assigned to the lab
            Jdbc.update(c, "INSERT INTO sample_clients (biosample_id, client_id) VALUES ('E-A00000000005', 'lab')");
        }).start()) {
            Jdbc jdbc = ts.server().platform().database().jdbc();
            Map<String, String> forUser = new TreeMap<>();
            jdbc.query("SELECT biosample_id, client_id, for_user FROM sample_clients", rs -> {
                forUser.put(rs.getString(1) + "/" + rs.getString(2), String.valueOf(rs.getString(3)));
                return null;
            });
            assertEquals(Map.of("E-A00000000001/lab", "u-alice", "E-A00000000002/lab", "null", "E-A00000000003/lab", "null",
                    "E-A00000000004/lab", "null", "E-A00000000005/lab", "null", "E-A00000000005/other", "null"), forUser);
        }
    }

    private static void sample(Connection c, String id, String client, OffsetDateTime now, String... users) throws SQLException {
        Jdbc.update(c, "INSERT INTO samples (biosample_id, site, organism, omic, status, registered_by_client, library_json, sequencing_json,"
                + " statistics_json, alignment_json, create_time, update_time) VALUES (?, 11, 1, 1, 1000, ?, '{}', '{}', '{}', '{}', ?, ?)", id, client, now, now);
        Jdbc.update(c, "INSERT INTO sample_clients (biosample_id, client_id) VALUES (?, ?)", id, client);
        for (String user : users) Jdbc.update(c, "INSERT INTO sample_users (biosample_id, user_id) VALUES (?, ?)", id, user);
    }
}
