package io.omix.cli;

import io.omix.server.apps.DatasetKeyStore;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.oauth.ClientStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code omix webhook}: as a private app, a dataset key or a client application, by the credentials given. */
class WebhookCliTest {
    @Test
    void eachKindOfCallerManagesItsOwnWebhooks() {
        try (TestServer s = TestServer.builder().setting("webhooks.allow-http-loopback", "true").start()) {
            var platform = s.server().platform();
            PrivateAppStore.Created app = new PrivateAppStore(platform).create("Partner", "CLIHOOKS");
            DatasetKeyStore.Created key = new DatasetKeyStore(platform).create("Datasets");
            ClientStore.Created client = new ClientStore(platform).create("Hooked app", List.of("http://127.0.0.1:8765/callback"),
                    Set.of("client_credentials"), Set.of("models"), false, null);
            String[] asApp = {"--endpoint", s.url(), "--app-key", app.app().appKey(), "--app-secret", app.appSecret()};
            String[] asKey = {"--endpoint", s.url(), "--api-key", key.key().apiKey(), "--api-secret", key.apiSecret()};
            String[] asClient = {"--endpoint", s.url(), "--client-id", client.client().clientId(), "--client-secret", client.secret()};

            AdminAndLoginTest.Run created = omix("create", asApp, "--url", "http://127.0.0.1:9/hooks", "--event", "batch.committed,task.finished");
            assertEquals(0, created.exit(), created.err());
            assertTrue(created.out().contains("whsec_"), "the secret, shown once: " + created.out());
            Matcher id = Pattern.compile("\"webhook_id\" : \"(wh_[A-Za-z0-9]+)\"").matcher(created.out());
            assertTrue(id.find(), created.out());
            String webhookId = id.group(1);

            AdminAndLoginTest.Run listed = omix("list", asApp);
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().contains(webhookId) && listed.out().contains("batch.committed"), listed.out());
            assertFalse(listed.out().contains("whsec_"), "never shown again");
            assertEquals(0, omix("deliveries", asApp, webhookId).exit());
            assertEquals(0, omix("enable", asApp, webhookId).exit());

            AdminAndLoginTest.Run fromKey = omix("create", asKey, "--url", "http://127.0.0.1:9/jobs", "--event", "dataset.job_finished");
            assertEquals(0, fromKey.exit(), fromKey.err());
            AdminAndLoginTest.Run keyList = omix("list", asKey);
            assertFalse(keyList.out().contains(webhookId), "the dataset key sees its own webhooks only: " + keyList.out());

            AdminAndLoginTest.Run fromClient = omix("create", asClient, "--url", "http://127.0.0.1:9/models", "--event", "model.deployed", "--event", "task.finished");
            assertEquals(0, fromClient.exit(), fromClient.err());
            AdminAndLoginTest.Run wrongEvent = omix("create", asClient, "--url", "http://127.0.0.1:9/models", "--event", "batch.committed");
            assertEquals(1, wrongEvent.exit());
            assertTrue(wrongEvent.err().contains("events"), wrongEvent.err());
            AdminAndLoginTest.Run notLocal = omix("create", asClient, "--url", "http://192.168.1.10/hook", "--event", "task.finished");
            assertEquals(1, notLocal.exit());
            assertTrue(notLocal.err().contains("url"), notLocal.err());

            assertEquals(1, omix("delete", asClient, webhookId).exit(), "another owner's webhook is unknown to the client");
            assertEquals(0, omix("delete", asApp, webhookId).exit());
            assertEquals(1, omix("delete", asApp, webhookId).exit());

            AdminAndLoginTest.Run nobody = AdminAndLoginTest.omix("webhook", "list", "--endpoint", s.url());
            assertEquals(2, nobody.exit(), "a usage error, as with every command missing its credentials");
            assertTrue(nobody.err().contains("credentials are required"), nobody.err());
        }
    }

    private static AdminAndLoginTest.Run omix(String command, String[] who, String... rest) {
        String[] args = new String[2 + who.length + rest.length];
        args[0] = "webhook";
        args[1] = command;
        System.arraycopy(who, 0, args, 2, who.length);
        System.arraycopy(rest, 0, args, 2 + who.length, rest.length);
        return AdminAndLoginTest.omix(args);
    }
}
