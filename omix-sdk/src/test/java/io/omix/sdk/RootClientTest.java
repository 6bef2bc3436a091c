package io.omix.sdk;

import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The root client and the typed surface, against a real server with the demo data, as a new user would write it. */
class RootClientTest {
    static TestServer server;
    static Model demo;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.builder().setting("demo.enabled", "true").start();
        demo = Model.parse(Files.readString(server.dataDir().resolve("demo-credentials.json")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * A client-credentials token renewed early that the token endpoint refuses for its budget (429: nothing used up)
     * is kept in use until it expires: calls go on (each of them failed until the budget came back). The token in hand is
     * the real one, taken as if it had 31 s left, so that renewing starts a second later.
     */
    @Test
    void aTokenRenewedEarlyIsKeptWhenTheTokenEndpointIsBusy() throws Exception {
        try (TestServer busy = TestServer.builder().setting("ratelimit.tokens-per-client-per-minute", "1").start()) {
            Identity.Client client = Identity.confidentialClient(busy);
            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(busy.url()).maxRetries(0).build()) {
                AccessToken real = oauth2.getCredentialsToken();   // the minute's budget
                AccessToken soonDue = new AccessToken(oauth2, Model.parse(real.model().dumps().replaceAll("\"expires_in\"\\s*:\\s*\\d+", "\"expires_in\":31")),
                        Instant.now());
                ClientCredentials.Renewing tokens = new ClientCredentials.Renewing(previous -> oauth2.getCredentialsToken(), soonDue);
                Thread.sleep(1500);
                assertEquals(real.accessToken(), tokens.get(), "renewing was refused (429): the token in hand is kept");
                assertThrows(RateLimitedException.class, oauth2::getCredentialsToken, "the budget is spent indeed");
                try (Api api = Api.builder(tokens.get()).endpoint(busy.url()).build()) {
                    assertTrue(api.alive());
                    assertNotNull(api.samples().list(SampleQuery.builder().limit(1).build()).page());
                }
            }
        }
    }

    @Test
    void theReadmeExampleCompilesAndRunsAsWritten() {
        String clientId = (String) demo.at("oauth_client.client_id");
        String clientSecret = (String) demo.at("oauth_client.client_secret");
        String appKey = (String) demo.at("private_app.app_key");
        String appSecret = (String) demo.at("private_app.app_secret");
        String genomicsSampleId = (String) demo.at("samples.genomics");
        String privateSampleId = (String) demo.at("samples.private_app");
        String heartRateElementId = (String) demo.at("streams.heart_rate");
        List<OffsetDateTime> days = new ArrayList<>();
        BatchWriteResult written = null;

        try (Omix omix = Omix.builder().endpoint(server.url()).maxRetries(3).build()) {
            Api api = omix.openPlatform(ClientCredentials.of(clientId, clientSecret));
            Paginated<Sample> samples = api.samples().list(SampleQuery.builder().biosampleSites(10, 11).limit(1).build());
            List<String> ids = samples.stream().map(Sample::biosampleId).toList();
            List<Variant> calls = api.variants().get(VariantQuery.of(genomicsSampleId, "rs762551", "rs671"));
            StreamRange june = StreamRange.of(heartRateElementId).biosample(genomicsSampleId)
                    .days(LocalDate.of(2025, 6, 1), LocalDate.of(2025, 6, 7)).sort(Sort.ASC).build();
            for (StreamRecord r : api.streams().range(june)) { OffsetDateTime t = r.generatedAt(); Model data = r.data(); days.add(t); assertNotNull(data); }

            PrivateApi partner = omix.privatePlatform(appKey, appSecret);
            String entity = partner.streams().bind(privateSampleId);
            BatchWriteResult res = partner.streams().write(List.of(
                    StreamWrite.of(entity, heartRateElementId, Instant.parse("2026-01-01T08:00:00Z"), Map.of("value", 61))), Duplicates.REJECT);
            res.requireAll();
            written = res;

            assertTrue(ids.contains(genomicsSampleId), "every page walked, one sample a page: " + ids);
            assertEquals(ids.size(), ids.stream().distinct().count());
            assertEquals(List.of("rs762551", "rs671"), calls.stream().map(v -> v.alternateId().get(0)).toList());
            BatchWriteResult again = partner.streams().write(List.of(
                    StreamWrite.of(entity, heartRateElementId, Instant.parse("2026-01-01T08:00:00Z"), Map.of("value", 61))), Duplicates.REJECT);
            assertFalse(again.allWritten(), "the same series and time again is refused");
            PartialWriteException partial = assertThrows(PartialWriteException.class, again::requireAll);
            assertEquals(0, partial.result().refused().get(0).index());
        } catch (InvalidParameterException e) {
            Map<String, String> why = e.parameterErrors();
            fail("refused: " + why);
        } catch (OmixException e) {
            String requestId = e.requestId();
            fail(e.getMessage() + " (request " + requestId + ")");
        }
        assertEquals(7, days.size(), "the 7-day window returns seven daily records, the last day included: " + days);
        assertEquals(LocalDate.of(2025, 6, 7), days.get(6).toLocalDate());
        assertTrue(days.get(0).isBefore(days.get(1)), "oldest first");
        assertEquals(1, written.written().size());
        assertTrue(written.written().get(0).streamId() != null);
    }

    @Test
    void refusalsComeAsTheirFamilyWithTheParameterTheRequestIdAndAReadableMessage() {
        try (Omix omix = Omix.builder().endpoint(server.url()).maxRetries(0).build()) {
            Api api = omix.openPlatform(ClientCredentials.of((String) demo.at("oauth_client.client_id"), (String) demo.at("oauth_client.client_secret")));
            InvalidParameterException bad = assertThrows(InvalidParameterException.class,
                    () -> api.samples().list(SampleQuery.builder().limit(100_000).build()).page());
            assertEquals(41001, bad.code());
            assertTrue(bad.parameterErrors().containsKey("limit"), bad.parameterErrors().toString());
            assertNotNull(bad.requestId());
            assertTrue(bad.getMessage().startsWith("41001"), "readable, not a JSON dump: " + bad.getMessage());
            assertTrue(bad.getMessage().contains(bad.requestId()));
            // Still the earlier names, for code written against them.
            assertTrue(bad instanceof ApiException);

            PermissionException notMine = assertThrows(PermissionException.class,
                    () -> api.variants().get(VariantQuery.of("E-B00000000000", "rs762551")));
            assertEquals(41303, notMine.code());

            Api revoked = omix.openPlatform("not-a-token");
            AuthenticationException who = assertThrows(AuthenticationException.class, () -> revoked.getSamples(SampleQuery.all()));
            assertEquals(Codes.TOKEN_INVALID, who.code());

            PrivateApi impostor = omix.privatePlatform((String) demo.at("private_app.app_key"), "wrong-secret");
            assertEquals(Codes.SIGNATURE_INVALID, assertThrows(AuthenticationException.class, () -> impostor.streams().bind("E-B00000000000")).code());

            DatasetsApi datasets = omix.datasetBatches((String) demo.at("dataset_api.api_key"), (String) demo.at("dataset_api.api_secret"));
            assertEquals(404, assertThrows(NotFoundException.class, () -> datasets.webhooks().deliveries("wh_unknown", 1)).code());
        }
        try (Omix down = Omix.builder().endpoint("http://127.0.0.1:1").maxRetries(0).build()) {
            TransportException gone = assertThrows(TransportException.class, () -> down.openPlatform("t").getSamples(SampleQuery.all()));
            assertEquals(0, gone.httpStatus());
            assertFalse(down.alive());
        }
    }

    @Test
    void aThousandViewsOfOneRootClientShareItsThreads() {
        String clientId = (String) demo.at("oauth_client.client_id");
        String clientSecret = (String) demo.at("oauth_client.client_secret");
        // The SDK's threads only (its pool's and the JDK client's selectors): the server in this JVM starts threads of its own.
        java.util.function.IntSupplier sdkThreads = () -> (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("omix-sdk-http-") || t.getName().startsWith("HttpClient-")).count();
        try (Omix omix = Omix.builder().endpoint(server.url()).build()) {
            String token = omix.oauth2(clientId, clientSecret).getCredentialsToken().accessToken();
            omix.openPlatform(token).getSamples(SampleQuery.all()); // the pool's first threads
            int before = sdkThreads.getAsInt();
            for (int i = 0; i < 1000; i++) omix.openPlatform(token).getSamples(SampleQuery.all());
            // A pool per view would leave a selector thread per view (1,000 more); the one shared pool grows by the few threads
            // its cached executor starts when calls overlap its own tasks, more of them when the machine is loaded (5 were
            // seen in CI against a bound of 4).
            assertTrue(sdkThreads.getAsInt() <= before + 16, "1,000 views, " + (sdkThreads.getAsInt() - before) + " threads more");

            // The earlier doors too: a token's api() is a view onto its OAuth2 client's pool.
            try (OAuth2 oauth2 = OAuth2.builder(clientId, clientSecret).endpoint(server.url()).build()) {
                AccessToken t = oauth2.getCredentialsToken();
                t.api().getSamples(SampleQuery.all());
                int start = sdkThreads.getAsInt();
                for (int i = 0; i < 50; i++) t.api().getSamples(SampleQuery.all()); // never closed, as in the report
                assertTrue(sdkThreads.getAsInt() <= start + 16, "50 unclosed token.api(): " + (sdkThreads.getAsInt() - start) + " threads more");
            }
        }
    }

    @Test
    void applicationTokensAreRenewedWhenThePlatformRefusesThem() {
        String clientId = (String) demo.at("oauth_client.client_id");
        String clientSecret = (String) demo.at("oauth_client.client_secret");
        try (Omix omix = Omix.builder().endpoint(server.url()).build()) {
            Api api = omix.openPlatform(ClientCredentials.of(clientId, clientSecret));
            String first = api.accessToken();
            omix.oauth2(clientId, clientSecret).revoke(first);
            assertFalse(api.samples().list().page().items().isEmpty(), "a revoked token is replaced and the call made again");
            assertFalse(first.equals(api.accessToken()));
        }
    }

    @Test
    void aWriteRetriedWithTheCallersOwnIdempotencyKeyIsDoneOnce() {
        try (Omix omix = Omix.builder().endpoint(server.url()).build()) {
            PrivateApi partner = omix.privatePlatform((String) demo.at("private_app.app_key"), (String) demo.at("private_app.app_secret"));
            String project = (String) demo.at("projects.metagenomics");
            RequestOptions once = RequestOptions.idempotencyKey("register-K-1-" + System.nanoTime()).withTimeout(java.time.Duration.ofSeconds(30));
            String first = partner.with(once).registerSample(10, project, "K-1", Map.of()).getString("biosample_id");
            String again = partner.with(once).registerSample(10, project, "K-1", Map.of()).getString("biosample_id");
            assertEquals(first, again, "the same key: the first answer, no second sample");
            assertThrows(IllegalArgumentException.class, () -> RequestOptions.idempotencyKey("has space"));
        }
    }

    @Test
    void timesAreReadInEveryFormThePlatformWrites() {
        OffsetDateTime expected = OffsetDateTime.parse("2025-06-01T08:00:00+08:00");
        assertEquals(expected, Times.parse("2025-06-01T08:00:00+0800"));
        assertEquals(expected, Times.parse("2025-06-01 08:00:00+08:00"));
        assertEquals(expected, Times.parse("2025-06-01T00:00:00Z").withOffsetSameInstant(expected.getOffset()));
        assertEquals(expected.plusNanos(123_456_000), Times.parse("2025-06-01 08:00:00.123456+08"));
        assertEquals(LocalDate.of(2025, 6, 1), Times.parse("2025-06-01").toLocalDate());
        assertEquals("2026-01-01 08:00:00.123456+00:00", Times.format(Instant.parse("2026-01-01T08:00:00.123456789Z")), "microseconds at most");
        assertThrows(IllegalArgumentException.class, () -> Times.parse("June 1st"));
    }
}
