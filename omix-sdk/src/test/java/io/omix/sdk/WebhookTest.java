package io.omix.sdk;

import com.sun.net.httpserver.HttpServer;
import io.omix.server.Platform;
import io.omix.server.datasets.DatasetStore;
import io.omix.server.oauth.ConsentStore;
import io.omix.server.privacy.Erasure;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import io.omix.server.variants.VcfImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks end to end: a real HTTP receiver, the three kinds of owner, every event type, a receiver
 * that is down for a while, signatures, redelivery, and an endpoint that keeps failing.
 */
class WebhookTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String HEART_RATE = "00011d12-b363-11e9-bfed-00163e104c79";

    @TempDir
    Path dir;

    /** A receiver: every delivery it got, by path; answers 503 while {@code down}, 500 always on /broken. */
    static final class Receiver implements AutoCloseable {
        record Delivery(String path, Map<String, List<String>> headers, byte[] body) {}

        final HttpServer http;
        final List<Delivery> got = new CopyOnWriteArrayList<>();
        volatile boolean down;

        Receiver() throws java.io.IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getPath();
                int status = path.equals("/broken") ? 500 : down ? 503 : 204;
                if (status == 204) got.add(new Delivery(path, new HashMap<>(exchange.getRequestHeaders()), body));
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            http.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + path;
        }

        List<Delivery> at(String path) {
            return got.stream().filter(d -> d.path().equals(path)).toList();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    static Set<String> types(List<Receiver.Delivery> deliveries, String secret) {
        Set<String> types = new HashSet<>();
        for (Receiver.Delivery d : deliveries) types.add(Webhooks.verify(secret, d.headers(), d.body()).getString("type"));
        return types;
    }

    static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > until) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    /**
     * One owner's receivers that never answer hold only their own deliveries: another owner's event, queued while they
     * hang, arrives at once (each answer is recorded as it comes, not a round's at the pace of its slowest). Twenty hanging
     * endpoints (forty deliveries in flight) hold twelve of the server's sixteen slots (half, and beyond it while a quarter
     * stays free), not all of them: before, every other owner's events waited for the hanging receivers' timeouts, then lost
     * each freed slot to the older backlog.
     */
    @Test
    void receiversThatNeverAnswerDelayOnlyTheirOwnOwner() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger hanging = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slow.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            hanging.incrementAndGet();
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        slow.start();
        try (Receiver fast = new Receiver();
             TestServer s = TestServer.builder().setting("webhooks.allow-http-loopback", "true").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client stalling = Identity.confidentialClient(s);
            Identity.Client waiting = Identity.confidentialClient(s);
            try (Omix omix = Omix.builder().endpoint(s.url()).build();
                 Api stallingApp = omix.openPlatform(ClientCredentials.of(stalling.id(), stalling.secret()));
                 Api waitingApp = omix.openPlatform(ClientCredentials.of(waiting.id(), waiting.secret()))) {
                for (int i = 0; i < 20; i++) {
                    stallingApp.webhooks().register("http://127.0.0.1:" + slow.getAddress().getPort() + "/hang" + i, List.of("task.finished"));
                }
                waitingApp.webhooks().register(fast.url("/waiting"), List.of("task.finished"));
                platform.database().jdbc().inTransaction(c -> {
                    for (int i = 0; i < 5; i++) {
                        io.omix.server.webhooks.WebhookEvents.publish(c, platform.now(), "client:" + stalling.id(), "task.finished", Map.of("task_id", "t" + i));
                    }
                    return null;
                });
                await("the stalling owner's receivers hanging", () -> hanging.get() >= 12);
                Thread.sleep(1000);
                assertEquals(12, hanging.get(), "alone, the stalling owner holds all but a quarter of the server's slots, no more");
                long queued = System.nanoTime();
                platform.database().jdbc().inTransaction(c -> {
                    io.omix.server.webhooks.WebhookEvents.publish(c, platform.now(), "client:" + waiting.id(), "task.finished", Map.of("task_id", "w1"));
                    return null;
                });
                await("the other owner's event", () -> !fast.at("/waiting").isEmpty());
                long millis = (System.nanoTime() - queued) / 1_000_000;
                assertTrue(millis < 3000, "delivered after " + millis + " ms while another owner's receivers hung");
            } finally {
                release.countDown();
            }
        } finally {
            slow.stop(0);
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyEventReachesItsReceiverSignedAndAfterAnOutage(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true")
                     .setting("webhooks.retry-initial-seconds", "1").setting("webhooks.retry-max-seconds", "2")
                     .setting("webhooks.give-up-seconds", "12").setting("webhooks.coalesce-seconds", "1").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Client partner = Identity.app(s, "HOOKS");
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(platform).createWorkspace(key.id(), "hooks");
            // Renewed as it goes: disabling the application below revokes its tokens for good.
            try (Omix omix = Omix.builder().endpoint(s.url()).build(); Api app = omix.openPlatform(ClientCredentials.of(client.id(), client.secret()));
                 PrivateApi privateApp = PrivateApi.builder(partner.id(), partner.secret()).endpoint(s.url()).build();
                 DatasetsApi datasets = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                // Registration: what each kind of owner may ask for, where, and the secret shown once.
                WebhookEndpoint created = app.webhooks().register(receiver.url("/client"), List.of("sample.data_imported", "stream.records_written",
                        "task.finished", "model.deployed", "grant.revoked", "user.erased"));
                String clientSecret = created.secret();
                assertTrue(clientSecret.startsWith("whsec_"));
                assertTrue(created.enabled() && created.events().contains("user.erased") && created.createdAt() != null, created.toString());
                assertTrue(!created.toString().contains(clientSecret), "the secret stays out of toString");
                String clientHook = created.webhookId();
                assertNull(app.webhooks().list().getList("webhooks").getModel(0).get("secret"), "the secret is shown once, at creation");
                assertEquals(List.of(clientHook), app.webhooks().endpoints().stream().map(WebhookEndpoint::webhookId).toList());
                assertNull(app.webhooks().endpoints().get(0).secret());
                String appSecret = privateApp.webhooks().create(receiver.url("/app"), List.of("sample.data_imported", "stream.records_written",
                        "batch.committed", "task.finished")).getModel("webhook").getString("secret");
                String keySecret = datasets.webhooks().create(receiver.url("/dsk"), List.of("dataset.job_finished", "task.finished"))
                        .getModel("webhook").getString("secret");
                String brokenHook = app.webhooks().create(receiver.url("/broken"), List.of("model.deployed")).getModel("webhook").getString("webhook_id");

                assertEquals(41001, code(() -> app.webhooks().create("http://10.1.2.3/hook", List.of("task.finished"))), "http off this machine");
                assertEquals(41001, code(() -> app.webhooks().create("https://10.0.0.7/hook", List.of("task.finished"))), "a private network");
                assertEquals(41001, code(() -> app.webhooks().create("https://169.254.169.254/latest", List.of("task.finished"))), "link-local metadata");
                assertEquals(41001, code(() -> app.webhooks().create("file:///etc/passwd", List.of("task.finished"))));
                assertEquals(41001, code(() -> app.webhooks().create(receiver.url("/x"), List.of("batch.committed"))), "not a client's event");
                assertEquals(41001, code(() -> app.webhooks().create(receiver.url("/x"), List.of("everything"))));
                assertEquals(41001, code(() -> privateApp.webhooks().deliveries(clientHook, 10)), "another owner's webhook is unknown");
                assertEquals(41001, code(() -> privateApp.webhooks().delete(clientHook)));
                assertEquals(1, app.webhooks().list().getList("webhooks").models().stream().filter(w -> w.getString("webhook_id").equals(clientHook)).count(),
                        "another owner's delete touched nothing");
                assertEquals(404, code(() -> datasets.webhooks().deliveries(clientHook, 10)));

                // The receiver is down from here on, until the outage below ends: an event queued now could otherwise be delivered
                // before the outage begins (seen once on a loaded machine).
                receiver.down = true;
                // Only applications that may read the data hear of it: a grant without the variants scope is not enough.
                Identity.Client other = Identity.confidentialClient(s);
                Identity.Person granting = Identity.user(s, "granting", "granting@example.org");
                String project0 = new SampleStore(platform).createProject("grants", 1, null, null, null).projectId();
                new ConsentStore(platform).remember(granting.userId(), other.id(), Set.of("samples"));
                String granted = new SampleStore(platform).register(io.omix.server.common.auth.Caller.userToken(other.id(), granting.userId(),
                        Set.of("samples")), new SampleStore.Registration("G-1", 11, project0, false, 1, null, Map.of()));
                new ConsentStore(platform).remember(granting.userId(), client.id(), Set.of("profile"));
                new VcfImporter(platform).importVcf(granted, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(0, imported(app, clientHook), "a grant of profile only: no word of the sample's variants");
                new ConsentStore(platform).remember(granting.userId(), client.id(), Set.of("profile", "variants"));
                new VcfImporter(platform).importVcf(granted, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(1, imported(app, clientHook), "with variants granted, the import is announced (queued with it)");

                // A disabled application hears nothing while it is disabled.
                new io.omix.server.oauth.ClientStore(platform).setDisabled(client.id(), true);
                new VcfImporter(platform).importVcf(granted, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                new io.omix.server.oauth.ClientStore(platform).setDisabled(client.id(), false);
                assertEquals(1, imported(app, clientHook));

                // Everything that happens while the receiver is down.
                String project = new SampleStore(platform).createProject("hooks", 1, null, null, null).projectId();
                String sample = privateApp.registerSample(11, project, "H-1", Map.of()).getString("biosample_id");
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                String entity = privateApp.streamBind(sample).getString("fundamental_entity_id");
                for (int i = 0; i < 3; i++) privateApp.writeStream(entity, HEART_RATE, "2026-01-01 08:00:0" + i, Map.of("bpm", 60 + i), false);
                long batchNo = privateApp.registerBatch("hooks", "").getLong("batch_no");
                privateApp.importBatch(batchNo, BatchesTest.items(4, 0), sample);
                privateApp.waitFor(privateApp.commitBatch(batchNo), WAIT);
                long ds = DatasetBatchesTest.create(datasets, ws.workspaceId(), ws.projectId(), DatasetBatchesTest.fruit("Fruit",
                        new Object[] {"apple", 1, "2024-05-01"}));
                long source = DatasetBatchesTest.create(datasets, ws.workspaceId(), ws.projectId(), DatasetSpec.named("More")
                        .column("name", "Name", io.omix.sdk.ColumnType.TEXT).row("kiwi").build());
                datasets.jobs().waitFor(datasets.batches().create(ws.workspaceId(), ws.projectId(), ds, BatchCreation.from(source)
                        .map("name", "fruit", io.omix.sdk.ColumnType.TEXT).build()), WAIT);
                app.deployModel("hooked", InterpretationModelsTest.zipIn(dir, "hooked", "index.py",
                        "def handler(event, context):\n    return {'model_code': 0, 'model_msg': 'ok', 'model_data': {}}\n"), ModelConfig.defaults(), WAIT);
                Identity.Person revoking = Identity.user(s, "revoking", "revoking@example.org");
                new ConsentStore(platform).remember(revoking.userId(), client.id(), Set.of("samples"));
                new ConsentStore(platform).revoke(revoking.userId(), client.id());
                Identity.Person leaving = Identity.user(s, "leaving", "leaving@example.org");
                new ConsentStore(platform).remember(leaving.userId(), client.id(), Set.of("samples"));
                new Erasure(platform).eraseUser(leaving.userId());

                // While it is down, attempts fail and are visible, with their HTTP status.
                await("failed attempts", () -> app.webhooks().deliveryLog(clientHook, 50).stream()
                        .anyMatch(d -> d.attempts() >= 1 && Integer.valueOf(503).equals(d.lastHttpStatus()) && d.eventType() != null));
                assertTrue(receiver.got.isEmpty());
                receiver.down = false;

                Set<String> clientTypes = Set.of("sample.data_imported", "stream.records_written", "task.finished", "model.deployed",
                        "grant.revoked", "user.erased");
                await("every client event", () -> types(receiver.at("/client"), clientSecret).containsAll(Set.of("task.finished", "model.deployed",
                        "grant.revoked", "user.erased")));
                await("every app event", () -> types(receiver.at("/app"), appSecret).equals(Set.of("sample.data_imported", "stream.records_written",
                        "batch.committed", "task.finished")));
                await("every dataset key event", () -> types(receiver.at("/dsk"), keySecret).equals(Set.of("dataset.job_finished", "task.finished")));
                assertTrue(clientTypes.containsAll(types(receiver.at("/client"), clientSecret)));

                // The events' contents: what an application acts on.
                Map<String, Model> appEvents = new HashMap<>();
                int streamRecords = 0;
                Set<String> ids = new HashSet<>();
                for (Receiver.Delivery d : receiver.at("/app")) {
                    Model e = Webhooks.verify(appSecret, d.headers(), d.body());
                    assertEquals(e.getString("id"), d.headers().get("Omix-webhook-id").get(0));
                    if (!ids.add(e.getString("id"))) continue; // at least once: the same id may come twice
                    appEvents.put(e.getString("type"), e);
                    if (e.getString("type").equals("stream.records_written")) streamRecords += e.getModel("data").getInt("records");
                }
                assertEquals(3, streamRecords, "every record written counted once, in coalesced events");
                assertEquals(sample, appEvents.get("sample.data_imported").at("data.biosample_id"));
                assertEquals(4, appEvents.get("batch.committed").at("data.data_items"));
                Model erased = receiver.at("/client").stream().map(d -> Webhooks.verify(clientSecret, d.headers(), d.body()))
                        .filter(e -> e.getString("type").equals("user.erased")).findFirst().orElseThrow();
                assertEquals(leaving.userId(), erased.at("data.user_id"));

                // Signatures: a changed body, another secret, an old timestamp all fail.
                Receiver.Delivery one = receiver.at("/app").get(0);
                byte[] tampered = new String(one.body(), StandardCharsets.UTF_8).replace("\"data\"", "\"dato\"").getBytes(StandardCharsets.UTF_8);
                assertThrows(Webhooks.SignatureException.class, () -> Webhooks.verify(appSecret, one.headers(), tampered));
                assertThrows(Webhooks.SignatureException.class, () -> Webhooks.verify(keySecret, one.headers(), one.body()));
                Clock later = Clock.fixed(Instant.now().plus(Duration.ofMinutes(10)), ZoneOffset.UTC);
                assertThrows(Webhooks.SignatureException.class, () -> Webhooks.verify(appSecret, one.headers(), one.body(),
                        Webhooks.DEFAULT_TOLERANCE, later), "a replay ten minutes later");
                Map<String, List<String>> unsigned = new HashMap<>(one.headers());
                unsigned.keySet().removeIf(h -> h.equalsIgnoreCase("Omix-Webhook-Signature"));
                assertThrows(Webhooks.SignatureException.class, () -> Webhooks.verify(appSecret, unsigned, one.body()));

                // Redelivery by hand: the same event again.
                Model delivered = app.webhooks().deliveries(clientHook, 50).getList("deliveries").models().stream()
                        .filter(d -> d.getString("status").equals("delivered")).findFirst().orElseThrow();
                assertFalse(delivered.getList("attempt_log").isEmpty());
                Predicate<Receiver.Delivery> sameEvent = d -> d.headers().get("Omix-webhook-id").get(0).equals(delivered.getString("event_id"));
                long copies = receiver.at("/client").stream().filter(sameEvent).count();
                app.webhooks().redeliver(clientHook, delivered.getLong("delivery_id"));
                // Waits for this event's own second copy: another event's late delivery may arrive first (seen once in CI).
                await("the redelivery", () -> receiver.at("/client").stream().filter(sameEvent).count() > copies);
                assertEquals(41001, code(() -> app.webhooks().redeliver(clientHook, 999_999_999L)));

                // An endpoint that fails every attempt for the whole give-up time is disabled, with the reason, and can be enabled again.
                await("the failing endpoint disabled", () -> app.webhooks().list().getList("webhooks").models().stream()
                        .anyMatch(w -> w.getString("webhook_id").equals(brokenHook) && !w.getBoolean("enabled")));
                Model broken = app.webhooks().list().getList("webhooks").models().stream().filter(w -> w.getString("webhook_id").equals(brokenHook))
                        .findFirst().orElseThrow();
                assertTrue(broken.getString("disabled_reason").contains("HTTP 500"), broken.dumps());
                assertEquals("failed", app.webhooks().deliveries(brokenHook, 10).getList("deliveries").getModel(0).getString("status"));
                assertTrue(app.webhooks().enable(brokenHook).getModel("webhook").getBoolean("enabled"));

                // The signing secrets were never kept with the answers kept for retries (the SDK sends an Idempotency-Key with every create).
                assertEquals(0L, platform.database().jdbc().query("SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE ?", rs -> rs.getLong(1),
                        "%whsec_%").get(0));

                assertEquals(true, app.webhooks().delete(brokenHook).getBoolean("deleted"));
                // At most 20 endpoints per owner.
                for (int i = app.webhooks().list().getList("webhooks").size(); i < 20; i++) app.webhooks().create(receiver.url("/n" + i), List.of("task.finished"));
                assertEquals(41001, code(() -> app.webhooks().create(receiver.url("/one-too-many"), List.of("task.finished"))));
                assertEquals(41001, code(() -> app.webhooks().delete(brokenHook)));
            }
        }
    }

    /**
     * A sample's event goes to the applications that may read the data it is about: an application assigned the sample
     * but without the variants scope does not learn that someone's genome was imported, nor when.
     */
    /**
     * A delivery keeps its last 20 attempts: one redelivered again and again (to a receiver that fails, say) does not
     * grow its log, or every listing of it, without end. Before, every attempt ever made was kept and listed.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aDeliveryKeepsItsLastTwentyAttempts(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").start()) {
            Identity.Client client = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build(); Api app = o.getCredentialsToken().api()) {
                String hook = app.webhooks().register(receiver.url("/kept"), List.of("task.finished")).webhookId();
                var jdbc = Identity.platform(s).database().jdbc();
                java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
                // A delivery that failed 25 times already, as many redeliveries to a broken receiver would leave it.
                jdbc.update("INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, data, status, attempts, next_attempt_at, created_at, finished_at)"
                        + " VALUES (?, 'evt_kept_attempts', 'task.finished', '{}', 'failed', 25, ?, ?, ?)", hook, now, now, now);
                long delivery = jdbc.queryOne("SELECT delivery_id FROM webhook_deliveries WHERE event_id = 'evt_kept_attempts'", rs -> rs.getLong(1)).orElseThrow();
                for (int attempt = 1; attempt <= 25; attempt++) {
                    jdbc.update("INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, http_status, error, duration_ms) VALUES (?,?,?,500,'failed',2)",
                            delivery, attempt, now);
                }
                app.webhooks().redeliver(hook, delivery);
                await("the redelivery", () -> jdbc.queryOne("SELECT attempts FROM webhook_deliveries WHERE delivery_id = ?", rs -> rs.getInt(1), delivery)
                        .orElse(0) == 26);
                assertEquals(20L, jdbc.queryOne("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = ?", rs -> rs.getLong(1), delivery).orElseThrow());
                assertEquals(7, jdbc.queryOne("SELECT MIN(attempt) FROM webhook_attempts WHERE delivery_id = ?", rs -> rs.getInt(1), delivery).orElseThrow(),
                        "the last twenty: 7 to 26");
            }
        }
    }

    /**
     * A rotated secret turns the application's endpoints off, saying why: one registered with the leaked secret stops
     * receiving the application's events (before, it went on for good); the application turns its own back on.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRotatedSecretTurnsTheApplicationsEndpointsOff(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").start()) {
            Identity.Client client = Identity.confidentialClient(s);
            String hook;
            try (OAuth2 o = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build(); Api leaked = o.getCredentialsToken().api()) {
                hook = leaked.webhooks().register(receiver.url("/leaked"), List.of("grant.revoked", "user.erased")).webhookId();
            }
            String secret = new io.omix.server.oauth.ClientStore(Identity.platform(s)).rotateSecret(client.id());
            try (OAuth2 o = OAuth2.builder(client.id(), secret).endpoint(s.url()).build(); Api app = o.getCredentialsToken().api()) {
                WebhookEndpoint after = app.webhooks().endpoints().get(0);
                assertEquals(hook, after.webhookId());
                assertFalse(after.enabled(), after.toString());
                assertTrue(after.disabledReason().contains("secret was rotated"), after.toString());
                app.webhooks().enable(hook);
                assertTrue(app.webhooks().endpoints().get(0).enabled(), "its owner turns it back on");
            }
            // A private app's rotated secret does the same for the endpoints registered with the leaked one.
            Identity.Client partner = Identity.app(s, "ROTATED_PARTNER");
            try (PrivateApi leaked = PrivateApi.builder(partner.id(), partner.secret()).endpoint(s.url()).build()) {
                leaked.webhooks().register(receiver.url("/partner"), List.of("task.finished"));
            }
            String fresh = new io.omix.server.apps.PrivateAppStore(Identity.platform(s)).rotateSecret(partner.id()).orElseThrow();
            try (PrivateApi renewed = PrivateApi.builder(partner.id(), fresh).endpoint(s.url()).build()) {
                WebhookEndpoint after = renewed.webhooks().endpoints().get(0);
                assertFalse(after.enabled(), after.toString());
                assertTrue(after.disabledReason().contains("secret was rotated"), after.toString());
            }
            // And a dataset key's.
            Identity.Client key = Identity.datasetKey(s);
            try (DatasetsApi leaked = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                leaked.webhooks().register(receiver.url("/key"), List.of("task.finished"));
            }
            String renewedSecret = new io.omix.server.apps.DatasetKeyStore(Identity.platform(s)).rotateSecret(key.id()).orElseThrow();
            try (DatasetsApi renewed = DatasetsApi.builder(key.id(), renewedSecret).serverUrl(s.url()).build()) {
                WebhookEndpoint after = renewed.webhooks().endpoints().get(0);
                assertFalse(after.enabled(), after.toString());
                assertTrue(after.disabledReason().contains("secret was rotated"), after.toString());
            }
        }
    }

    /**
     * An endpoint holds at most 10,000 deliveries waiting: a receiver that never answers, fed by its own application's writes,
     * grew its queue without end before. Beyond, its events are not queued (the server's log says so once a minute); once
     * some are delivered or given up, they are again.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anEndpointHoldsABoundedNumberOfDeliveriesWaiting(String kind) throws Exception {
        io.omix.server.testing.MutableClock clock = new io.omix.server.testing.MutableClock();
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").clock(clock).start()) {
            Platform platform = Identity.platform(s);
            Identity.Client app = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(app.id(), app.secret()).endpoint(s.url()).build(); Api api = o.getCredentialsToken().api()) {
                String hook = api.webhooks().register(receiver.url("/full"), List.of("task.finished")).webhookId();
                io.omix.server.common.db.Jdbc jdbc = platform.database().jdbc();
                java.time.OffsetDateTime later = platform.now().plusDays(1);   // not tried meanwhile
                jdbc.inTransaction(c -> {
                    try (var insert = c.prepareStatement("INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, data, status, attempts,"
                            + " next_attempt_at, created_at) VALUES (?, ?, 'task.finished', '{}', 'pending', 1, ?, ?)")) {
                        for (int i = 0; i < 10_000; i++) {
                            insert.setString(1, hook);
                            insert.setString(2, "evt_full" + i);
                            insert.setObject(3, later);
                            insert.setObject(4, platform.now());
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                    return null;
                });
                java.util.function.IntSupplier waiting = () -> jdbc.queryOne("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending'",
                        rs -> rs.getInt(1), hook).orElseThrow();
                Runnable publish = () -> jdbc.inTransaction(c -> {
                    io.omix.server.webhooks.WebhookEvents.publish(c, platform.now(), "client:" + app.id(), "task.finished", Map.of("task_id", "t-full"));
                    return null;
                });
                publish.run();
                assertEquals(10_000, waiting.getAsInt(), "the 10,001st is not queued");
                jdbc.update("UPDATE webhook_deliveries SET status = 'failed', finished_at = ? WHERE event_id = ?", platform.now(), "evt_full0");
                publish.run();
                assertEquals(9_999, waiting.getAsInt(), "counted once in ten seconds: not queued yet");
                clock.advance(java.time.Duration.ofSeconds(11));
                publish.run();
                assertEquals(10_000, waiting.getAsInt(), "one given up: the next event is queued");
                assertEquals(1, jdbc.queryOne("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND data LIKE '%t-full%'", rs -> rs.getInt(1), hook)
                        .orElseThrow());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSamplesEventsReachOnlyApplicationsThatMayReadItsData(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client reader = Identity.confidentialClient(s);
            Identity.Client narrow = Identity.confidentialClient(s);
            new io.omix.server.oauth.ClientStore(platform).update(narrow.id(), null, Set.of("samples"), null);
            String sample = registeredThrough(s, reader, "hooked");
            new SampleStore(platform).assignClient(sample, reader.id());
            new SampleStore(platform).assignClient(sample, narrow.id());
            try (OAuth2 r = OAuth2.builder(reader.id(), reader.secret()).endpoint(s.url()).build(); Api readerApp = r.getCredentialsToken().api();
                 OAuth2 n = OAuth2.builder(narrow.id(), narrow.secret()).endpoint(s.url()).build(); Api narrowApp = n.getCredentialsToken().api()) {
                String readerHook = readerApp.webhooks().register(receiver.url("/reader"), List.of("sample.data_imported")).webhookId();
                String narrowHook = narrowApp.webhooks().register(receiver.url("/narrow"), List.of("sample.data_imported")).webhookId();
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(1L, imported(readerApp, readerHook), "the application that reads the sample's variants hears of the import");
                assertEquals(0L, imported(narrowApp, narrowHook), "the one without the variants scope does not");
            }
        }
    }

    /**
     * An event about a sample's data that waits for its receiver is not sent once the application no longer reads that
     * data (here the person revokes its grant during the receiver's outage): it ends as not sent, and the endpoint is not
     * counted as failing for it. Before, the application heard of the person's data after the revocation.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anEventIsNotSentOnceItsApplicationNoLongerReadsWhatItTellsOf(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true")
                     .setting("webhooks.retry-initial-seconds", "1").setting("webhooks.retry-max-seconds", "2").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "withheld", "withheld@example.org");
            String project = new SampleStore(platform).createProject("withheld", 1, null, null, null).projectId();
            new ConsentStore(platform).remember(person.userId(), client.id(), Set.of("samples", "variants"));
            String sample = new SampleStore(platform).register(io.omix.server.common.auth.Caller.userToken(client.id(), person.userId(),
                    Set.of("samples")), new SampleStore.Registration("W-1", 11, project, false, 1, null, Map.of()));
            try (OAuth2 o = OAuth2.builder(client.id(), client.secret()).endpoint(s.url()).build(); Api app = o.getCredentialsToken().api()) {
                String hook = app.webhooks().register(receiver.url("/hook"), List.of("sample.data_imported")).webhookId();
                receiver.down = true;
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                await("a first attempt", () -> app.webhooks().deliveries(hook, 10).getList("deliveries").models().stream()
                        .anyMatch(d -> d.getInt("attempts") > 0));
                assertTrue(new ConsentStore(platform).revoke(person.userId(), client.id()));
                receiver.down = false;
                await("the delivery ended", () -> app.webhooks().deliveries(hook, 10).getList("deliveries").models().stream()
                        .anyMatch(d -> d.getString("event_type").equals("sample.data_imported") && d.getString("status").equals("failed")));
                Model ended = app.webhooks().deliveries(hook, 10).getList("deliveries").models().stream()
                        .filter(d -> d.getString("event_type").equals("sample.data_imported")).findFirst().orElseThrow();
                assertTrue(ended.getString("last_error").contains("no longer reads"), ended.dumps());
                assertEquals(List.of(), receiver.at("/hook"), "nothing of the person's data reached the application");
                assertTrue(app.webhooks().endpoints().get(0).enabled(), "the endpoint stays on");
            }
        }
    }

    /**
     * An application hears of the data of a sample a person registered through it only as far as her consent goes: she
     * allowed samples, so its webhooks say nothing of her variants until she allows them too.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApplicationHearsOfAPersonsSampleDataOnlyAsFarAsHerConsentGoes(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client lab = Identity.confidentialClient(s);
            String sample = registeredThrough(s, lab, "hearing");
            try (OAuth2 o = OAuth2.builder(lab.id(), lab.secret()).endpoint(s.url()).build(); Api app = o.getCredentialsToken().api()) {
                String hook = app.webhooks().register(receiver.url("/hook"), List.of("sample.data_imported")).webhookId();
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(0L, imported(app, hook), "she allowed samples only: nothing of her variants, though the client holds the scope");
                String userId = new io.omix.server.users.UserStore(platform).findByUsername("hearing").orElseThrow().userId();
                new ConsentStore(platform).remember(userId, lab.id(), Set.of("variants"));
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(1L, imported(app, hook), "once she allowed them, it hears of the next import");
            }
        }
    }

    /**
     * An erased sample is announced to everyone who could see it, a client an operator assigned it to included (it holds
     * no grant of the person, so user.erased would not reach it), once the erasure has taken every other event naming it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anErasedSampleIsAnnouncedToEveryoneWhoCouldSeeIt(String kind) throws Exception {
        try (Receiver receiver = new Receiver();
             TestServer s = TestServer.builder().database(kind).setting("webhooks.allow-http-loopback", "true").start()) {
            Platform platform = Identity.platform(s);
            Identity.Client registrar = Identity.confidentialClient(s);
            Identity.Client assigned = Identity.confidentialClient(s);
            Identity.Client stranger = Identity.confidentialClient(s);
            String sample = registeredThrough(s, registrar, "erasing");
            new SampleStore(platform).assignClient(sample, assigned.id());
            try (OAuth2 a = OAuth2.builder(assigned.id(), assigned.secret()).endpoint(s.url()).build(); Api app = a.getCredentialsToken().api();
                 OAuth2 o = OAuth2.builder(stranger.id(), stranger.secret()).endpoint(s.url()).build(); Api other = o.getCredentialsToken().api()) {
                String hook = app.webhooks().register(receiver.url("/assigned"), List.of("sample.erased", "sample.data_imported")).webhookId();
                String otherHook = other.webhooks().register(receiver.url("/other"), List.of("sample.erased")).webhookId();
                new VcfImporter(platform).importVcf(sample, WebhookTest.class.getResourceAsStream("/vcf/fixture.vcf"), VcfImporter.Options.DEFAULT);
                assertEquals(1L, imported(app, hook));
                // The other application holds a grant of the person, for her profile only: it could not see the sample.
                String person = platform.database().jdbc().queryOne("SELECT user_id FROM users WHERE username = 'erasing'", rs -> rs.getString(1))
                        .orElseThrow();
                new io.omix.server.oauth.ConsentStore(platform).remember(person, stranger.id(), Set.of("profile"));
                new Erasure(platform).eraseSample(sample);
                List<Model> deliveries = app.webhooks().deliveries(hook, 50).getList("deliveries").models();
                assertEquals(List.of("sample.erased"), deliveries.stream().map(d -> d.getString("event_type")).toList(),
                        "the import's event, naming the sample, went with it; the erasure's is there");
                assertEquals(0, other.webhooks().deliveries(otherHook, 50).getList("deliveries").size(), "nobody who could not see it");
                // The import's event may have been sent before the erasure (then it was sent; it is no longer kept): the erasure's follows.
                await("the erasure delivered", () -> receiver.at("/assigned").stream()
                        .anyMatch(d -> new String(d.body(), java.nio.charset.StandardCharsets.UTF_8).contains("sample.erased")));
                assertTrue(receiver.at("/other").isEmpty(), "nothing reached an application that could not see the sample");
            }
        }
    }

    /** A sample a new person (named {@code username}) registers through {@code client}, in a new project. */
    static String registeredThrough(TestServer s, Identity.Client client, String username) throws Exception {
        String project = new SampleStore(Identity.platform(s)).createProject(username, 1, null, null, null).projectId();
        try (Api person = Api.builder(Identity.userToken(s, client, Identity.user(s, username, username + "@example.org").userId(), "samples")
                .accessToken()).endpoint(s.url()).build()) {
            return person.registerSample(username.toUpperCase() + "-1", 11, project).getString("biosample_id");
        }
    }

    /** How many sample.data_imported deliveries the endpoint has (queued or sent). */
    static long imported(Api app, String webhookId) {
        return app.webhooks().deliveries(webhookId, 500).getList("deliveries").models().stream()
                .filter(d -> d.getString("event_type").equals("sample.data_imported")).count();
    }

    static int code(Runnable call) {
        try {
            call.run();
        } catch (ApiException e) {
            return e.code();
        }
        return 0;
    }

    /**
     * Two writers of one series' window at once (servers side by side, or a request written alone beside a group) each
     * found no delivery to grow and made one; every later write then grew both, and its records were announced twice.
     * The window's open delivery is unique: the second writer grows the first's (or, that one claimed meanwhile, makes
     * one of its own), and a third write is counted once. The clock stands before the window's end: nothing is sent.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoWritersOfOneWindowAtOnceAnnounceEachRecordOnce(String kind) throws Exception {
        // Still, 10 s into a minute of the real time (the app's calls are signed with it): its window ends 50 s later.
        Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(10);
        try (TestServer s = TestServer.builder().database(kind).clock(Clock.fixed(at, ZoneOffset.UTC)).setting("webhooks.allow-http-loopback", "true")
                .start()) {
            Identity.Client partner = Identity.app(s, "COALESCE");
            String hook;
            try (PrivateApi app = PrivateApi.builder(partner.id(), partner.secret()).endpoint(s.url()).build()) {
                hook = (String) app.webhooks().create("http://127.0.0.1:9/hook", List.of("stream.records_written")).at("webhook.webhook_id");
            }
            io.omix.server.common.db.Jdbc jdbc = Identity.platform(s).database().jdbc();
            java.time.OffsetDateTime now = at.atOffset(ZoneOffset.UTC);
            Duration window = Duration.ofMinutes(1);
            java.util.function.LongFunction<List<io.omix.server.webhooks.WebhookEvents.SeriesWrite>> written = n -> List.of(
                    new io.omix.server.webhooks.WebhookEvents.SeriesWrite(77, "entity-1", "heart_rate", "COALESCE", n));
            // Threads of their own (the common pool may have one thread on two cores, and would run the writers in turn).
            java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.concurrent.CountDownLatch firstWrote = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch firstCommits = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(() -> jdbc.inTransaction(tx -> {
                io.omix.server.webhooks.WebhookEvents.recordsWritten(tx, now, window, written.apply(100));
                firstWrote.countDown();
                try {
                    firstCommits.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }), writers);
            firstWrote.await();
            java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(() -> jdbc.inTransaction(tx -> {
                io.omix.server.webhooks.WebhookEvents.recordsWritten(tx, now, window, written.apply(50));
                return null;
            }), writers);
            Thread.sleep(300); // the second writer at its insert (waiting for the first, on PostgreSQL)
            firstCommits.countDown();
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            second.get(30, java.util.concurrent.TimeUnit.SECONDS);
            writers.shutdown();
            jdbc.inTransaction(tx -> {
                io.omix.server.webhooks.WebhookEvents.recordsWritten(tx, now, window, written.apply(25));
                return null;
            });
            assertEquals(175L, jdbc.queryOne("SELECT SUM(coalesced) FROM webhook_deliveries WHERE webhook_id = ?", rs -> rs.getLong(1), hook).orElseThrow(),
                    "each record announced once");
        }
    }
}
