package io.omix.server.tasks;

import io.omix.server.Platform;
import io.omix.server.apps.DatasetKeyStore;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.oauth.ClientStore;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which owners of queued work may still act: every kind the platform makes (an application, a person within one, a
 * console session, a private app, a dataset key, a person's export), each refused once what it names is disabled,
 * and a kind the platform does not make refused too (webhooks send nothing to it).
 */
class TaskOwnersTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyKindOfOwnerStopsWithWhatItNames(String kind) throws Exception {
        try (TestServer server = TestServer.builder().database(kind).start()) {
            Platform platform = server.server().platform();
            String client = new ClientStore(platform).create("owners", List.of("https://app.example/cb"), Set.of("client_credentials"), Set.of("samples"),
                    false, null).client().clientId();
            User person = new UserStore(platform).create("owner-person", "pw-owner-S3cret!", User.Profile.EMPTY, false);
            User operator = new UserStore(platform).create("owner-operator", "pw-operator-S3cret!", User.Profile.EMPTY, true);
            PrivateAppStore.Created app = new PrivateAppStore(platform).create("owners", "OWNERS_APP");
            String key = new DatasetKeyStore(platform).create("owners").key().apiKey();
            List<String> owners = List.of("client:" + client, "client:" + client + ":user:" + person.userId(), "client:console:" + operator.userId(),
                    "client:console:" + operator.userId() + ":user:" + operator.userId(), "app:OWNERS_APP", "dsk:" + key, "user:" + person.userId());
            for (String owner : owners) assertTrue(active(platform, owner), owner);
            assertFalse(active(platform, "robot:1"), "a kind the platform does not make");
            assertFalse(TasksCapability.knownOwner("robot:1"));
            assertFalse(active(platform, "client:no-such-client"));

            new ClientStore(platform).setDisabled(client, true);
            assertFalse(active(platform, owners.get(0)));
            assertFalse(active(platform, owners.get(1)));
            new ClientStore(platform).setDisabled(client, false);
            assertTrue(active(platform, owners.get(1)));
            new UserStore(platform).setDisabled("owner-person", true);
            assertEquals(List.of(true, false, true, true, true, true, false), owners.stream().map(o -> active(platform, o)).toList());
            new UserStore(platform).setDisabled("owner-operator", true);
            assertFalse(active(platform, owners.get(2)), "a console session's work stops with its operator");
            assertFalse(active(platform, owners.get(3)));
            new PrivateAppStore(platform).setDisabled(app.app().appKey(), true);
            assertFalse(active(platform, "app:OWNERS_APP"));
            new DatasetKeyStore(platform).setDisabled(key, true);
            assertFalse(active(platform, "dsk:" + key));
        }
    }

    private static boolean active(Platform platform, String owner) {
        return platform.database().jdbc().withConnection(c -> TasksCapability.ownerActive(c, owner));
    }
}
