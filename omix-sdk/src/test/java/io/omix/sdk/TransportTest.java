package io.omix.sdk;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.FaultProxy.Fault;
import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK's transport against the real server (started in-process), and through a fault-injecting proxy. */
class TransportTest {
    static TestServer server;
    static FaultProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(ProbeCapability::new);
        proxy = new FaultProxy(server.url());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        server.close();
    }

    static HttpTransport transport(String endpoint, int maxRetries, Duration timeout) {
        return new HttpTransport(new ClientConfig(java.net.URI.create(endpoint), maxRetries, timeout, false,
                Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aliveIsTrueForARunningServerAndFalseOtherwise() throws Exception {
        try (OAuth2 oauth2 = OAuth2.builder("id", "secret").endpoint(server.url()).build();
             Api api = Api.builder("token").endpoint(server.url()).build();
             OAuth2 dead = OAuth2.builder("id", "secret").endpoint("http://127.0.0.1:" + freePort()).maxRetries(1)
                     .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            assertTrue(oauth2.alive());
            assertTrue(api.alive());
            assertTrue(oauth2.getApi("tok").alive());
            assertFalse(dead.alive());
        }
    }

    @Test
    void buildersDefaultToTheOriginalClientsValues() {
        try (Api api = new Api("tok"); PrivateApi priv = new PrivateApi("key", "secret");
             DatasetsApi ds = DatasetsApi.builder("k", "s").serverUrl("http://example.org:9000").build()) {
            assertEquals("http://localhost:8080", api.config().endpoint().toString());
            assertEquals(3, api.config().maxRetries());
            assertEquals(Duration.ofSeconds(18), api.config().timeout());
            assertFalse(api.config().verbose());
            assertEquals(Duration.ofSeconds(16), priv.config().timeout());
            assertEquals("http://example.org:9000", ds.config().endpoint().toString());
            assertFalse(priv.toString().contains("secret"));
        }
    }

    @Test
    void badSettingsAreRefusedWhenBuilding() {
        assertThrows(IllegalArgumentException.class, () -> Api.builder("t").endpoint("ftp://x").build());
        assertThrows(IllegalArgumentException.class, () -> Api.builder("t").maxRetries(-1).build());
        assertThrows(IllegalArgumentException.class, () -> Api.builder("t").timeout(Duration.ZERO).build());
    }

    @Test
    void apiErrorsBecomeApiExceptionWithCodeMsgAndData() {
        try (HttpTransport t = transport(server.url(), 0, Duration.ofSeconds(5))) {
            ApiException e = assertThrows(ApiException.class,
                    () -> t.envelope(ApiRequest.get("/test/echo").query("limit", 1000)));
            assertEquals(41001, e.code());
            assertEquals("参数错误", e.msg());
            assertEquals("is required", e.dataModel().getString("name"));
            assertEquals("must be an integer from 1 to 100", e.dataModel().getString("limit"));
            assertEquals(200, e.httpStatus());
            assertTrue(e instanceof InvalidParameterException, "the family of 41001");
            assertEquals("must be an integer from 1 to 100", ((InvalidParameterException) e).parameterErrors().get("limit"));
            assertTrue(e.getMessage().startsWith("41001 参数错误: "), "readable, not a JSON dump: " + e.getMessage());
            assertTrue(e.getMessage().contains("limit must be an integer from 1 to 100"), e.getMessage());
            assertNotNull(e.requestId());
        }
    }

    @Test
    void envelopeDataComesBackForBothBodyEncodings() {
        try (HttpTransport t = transport(server.url(), 0, Duration.ofSeconds(5))) {
            ObjectNode form = t.envelope(ApiRequest.post("/test/echo").form("name", "张三").form("biosample_sites", List.of(1, 2))
                    .form("duplicate_enabled", true).form("limit", null));
            ObjectNode json = t.envelope(ApiRequest.post("/test/echo").json(java.util.Map.of("name", "张三",
                    "biosample_sites", List.of(1, 2), "duplicate_enabled", true)));
            assertEquals(form, json);
            assertEquals("张三", form.at("/data/name").textValue());
            assertEquals(50, form.at("/data/limit").intValue(), "a null parameter is left out, so the default applies");
        }
    }

    @Test
    void httpErrorsThatAreNotApiAnswersAreBgeExceptions() {
        try (HttpTransport t = transport(server.url(), 0, Duration.ofSeconds(5))) {
            // An unknown path is "not found", whatever the body; still a BgeException for code written against that name.
            NotFoundException e = assertThrows(NotFoundException.class, () -> t.envelope(ApiRequest.get("/no/such/endpoint")));
            assertTrue(e instanceof BgeException);
            assertEquals(404, e.httpStatus());
            BgeException notEnvelope = assertThrows(BgeException.class, () -> t.envelope(ApiRequest.get("/ping")));
            assertTrue(notEnvelope.getMessage().contains("not JSON") || notEnvelope.getMessage().contains("not an envelope"));
        }
    }

    /**
     * Errors the server explains in an envelope with an HTTP error status keep their code and details: a failure of the
     * platform is a ServerException with its code and the request id in its details, the HTTP layer's refusals of the
     * call (wrong method, body too large) ApiExceptions with their code, not failures of the platform.
     */
    @Test
    void explainedHttpErrorsKeepTheirCodes() {
        try (HttpTransport t = transport(server.url(), 0, Duration.ofSeconds(5))) {
            ServerException boom = assertThrows(ServerException.class, () -> t.envelope(ApiRequest.get("/test/boom")));
            assertEquals(500, boom.code());
            assertEquals(500, boom.httpStatus());
            assertEquals(boom.requestId(), boom.dataModel().getString("request_id"));
            assertTrue(boom.getMessage().startsWith("500 "), boom.getMessage());
            assertFalse(boom.getMessage().contains("hunter2"), boom.getMessage());

            ApiException method = assertThrows(ApiException.class, () -> t.envelope(ApiRequest.of("DELETE", "/test/boom")));
            assertEquals(405, method.code());
            assertEquals(405, method.httpStatus());

            ApiException tooLarge = assertThrows(ApiException.class, () -> t.envelope(ApiRequest.post("/test/echo")
                    .rawBody(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[16 * 1024 * 1024 + 1]), "application/json")));
            assertEquals(413, tooLarge.code());
            assertEquals(413, tooLarge.httpStatus());
            assertFalse(tooLarge instanceof InvalidParameterException);

            ServerException problem = assertThrows(ServerException.class, () -> t.problemJson(ApiRequest.get("/api/v2/test/boom")));
            assertEquals(500, problem.code(), "the dataset batches API's failures too");
        }
    }

    /**
     * Work the per-minute limits do not bound (a FHIR $stats) runs one at a time for each caller on a server: the same
     * caller asking again meanwhile gets 429 with Retry-After, another caller is served, and the turn comes back.
     */
    @Test
    void aCallersCostlyRequestsRunOneAtATime() throws Exception {
        Identity.Client client = Identity.confidentialClient(server);
        String alice = Identity.userToken(server, client, Identity.user(server, "solo-a", "solo-a@example.org").userId(), "profile").accessToken();
        String bob = Identity.userToken(server, client, Identity.user(server, "solo-b", "solo-b@example.org").userId(), "profile").accessToken();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.BiFunction<String, Integer, java.net.http.HttpRequest> call = (token, millis) -> java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/test/one-at-a-time?millis=" + millis)).header("Authorization", "Bearer " + token).build();
        int before = io.omix.server.testing.ProbeCapability.ONE_AT_A_TIME_ENTERED.get();
        var first = http.sendAsync(call.apply(alice, 3000), java.net.http.HttpResponse.BodyHandlers.ofString());
        while (io.omix.server.testing.ProbeCapability.ONE_AT_A_TIME_ENTERED.get() == before) Thread.sleep(10);
        var again = http.send(call.apply(alice, 0), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(429, again.statusCode(), again.body());
        assertEquals("1", again.headers().firstValue("Retry-After").orElse(""));
        assertEquals(200, http.send(call.apply(bob, 0), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode(), "another caller is served");
        assertEquals(200, first.get().statusCode());
        assertEquals(200, http.send(call.apply(alice, 0), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode(), "the turn came back");
    }

    @Test
    void aDeadlineEndsTheRetriesWithTheLastAnswer() {
        // 20 retries 100-200 ms apart would take two seconds or more; the deadline of 800 ms ends them first. The path is
        // warmed first, so that on a loaded machine the first attempt itself answers well inside the deadline.
        try (HttpTransport warm = transport(server.url(), 0, Duration.ofSeconds(5))) {
            assertThrows(ServerException.class, () -> warm.envelope(ApiRequest.get("/test/boom")));
        }
        try (HttpTransport t = new HttpTransport(new ClientConfig(java.net.URI.create(server.url()), 20, Duration.ofSeconds(5), false,
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(800)))) {
            ServerException e = assertThrows(ServerException.class, () -> t.envelope(ApiRequest.get("/test/boom")));
            assertEquals(500, e.httpStatus());
            assertTrue(e.attempts() >= 1 && e.attempts() < 21, "stopped by the deadline after " + e.attempts() + " attempts");
        }
    }

    @Test
    void aRetryCutShortByTheDeadlineReportsTheAnswerBeforeIt() {
        // The first attempt answers 503; the retry hangs until the deadline cuts it: the caller learns of the 503, not of a timeout.
        proxy.script(Fault.STATUS_503, Fault.HANG_3_SECONDS);
        try (HttpTransport t = new HttpTransport(new ClientConfig(java.net.URI.create(proxy.url()), 5, Duration.ofSeconds(5), false,
                Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(5), Duration.ofMillis(700)))) {
            ServerException e = assertThrows(ServerException.class, () -> t.envelope(ApiRequest.get("/ping")));
            assertEquals(503, e.httpStatus());
            assertEquals(2, e.attempts());
        } finally {
            proxy.script();
        }
    }

    @Test
    void serverFailuresOnIdempotentRequestsAreRetriedThenReported() {
        try (HttpTransport t = transport(server.url(), 2, Duration.ofSeconds(5))) {
            BgeException e = assertThrows(BgeException.class, () -> t.envelope(ApiRequest.get("/test/boom")));
            assertEquals(500, e.httpStatus());
            assertEquals(3, e.attempts());
        }
    }

    @Test
    void retryAfterIsHonoured() {
        proxy.script(Fault.STATUS_503_RETRY_AFTER_1);
        int before = proxy.requests();
        try (HttpTransport t = transport(proxy.url(), 3, Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            HttpTransport.Response r = t.send(ApiRequest.get("/ping"));
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.status());
            assertEquals(2, r.attempts());
            assertEquals(2, proxy.requests() - before);
            assertTrue(waitedMs >= 950, "waited only " + waitedMs + " ms");
        }
    }

    @Test
    void aRetryAfterLongerThanTheLimitIsNotWaitedFor() {
        proxy.script(Fault.STATUS_503_RETRY_AFTER_1);
        try (HttpTransport t = new HttpTransport(new ClientConfig(java.net.URI.create(proxy.url()), 3, Duration.ofSeconds(5),
                false, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(500)))) {
            HttpTransport.Response r = t.send(ApiRequest.get("/ping"));
            assertEquals(503, r.status());
            assertEquals(1, r.attempts());
        }
    }

    @Test
    void droppedConnectionsAndGatewayErrorsAreRetriedForGet() {
        proxy.script(Fault.DROP_AFTER_REQUEST, Fault.STATUS_503);
        int before = proxy.requests();
        try (HttpTransport t = transport(proxy.url(), 3, Duration.ofSeconds(5))) {
            HttpTransport.Response r = t.send(ApiRequest.get("/ping"));
            assertEquals(200, r.status());
            // The JDK client itself resends a GET once when the connection drops before an answer,
            // so the SDK counts 2 or 3 attempts for the 3 requests the proxy saw.
            assertTrue(r.attempts() >= 2, "attempts: " + r.attempts());
            assertEquals(3, proxy.requests() - before);
        }
    }

    @Test
    void aPostTheServerMayHaveSeenIsRetriedWithTheSameIdempotencyKeyUnlessItMustBeSentOnce() {
        try (HttpTransport t = transport(proxy.url(), 3, Duration.ofSeconds(5))) {
            proxy.script(Fault.DROP_AFTER_REQUEST, Fault.STATUS_503);
            int before = proxy.requests();
            ApiRequest write = ApiRequest.post("/test/echo").form("name", "x");
            HttpTransport.Response answered = t.send(write);
            assertEquals(200, answered.status());
            assertEquals(3, proxy.requests() - before, "a write with a key is retried like a read");
            assertTrue(write.headers().get(ApiRequest.IDEMPOTENCY_KEY).matches("[0-9a-f-]{36}"), "every attempt sent this one key");

            proxy.script(Fault.DROP_AFTER_REQUEST);
            before = proxy.requests();
            BgeException dropped = assertThrows(BgeException.class, () -> t.send(ApiRequest.post("/test/echo").sendOnce().form("name", "x")));
            assertEquals(1, dropped.attempts());
            assertEquals(1, proxy.requests() - before);

            proxy.script(Fault.STATUS_503);
            before = proxy.requests();
            HttpTransport.Response unavailable = t.send(ApiRequest.post("/test/echo").sendOnce().form("name", "x"));
            assertEquals(503, unavailable.status());
            assertEquals(1, proxy.requests() - before);
        }
    }

    @Test
    void aPostTheServerNeverSawIsRetried() throws Exception {
        try (HttpTransport t = transport("http://127.0.0.1:" + freePort(), 2, Duration.ofSeconds(5))) {
            BgeException refused = assertThrows(BgeException.class, () -> t.send(ApiRequest.post("/test/echo").form("name", "x")));
            assertEquals(3, refused.attempts());
            assertInstanceOf(java.net.ConnectException.class, refused.getCause());
        }
    }

    @Test
    void eachAttemptIsBoundedByTheTimeout() {
        try (HttpTransport t = transport(server.url(), 0, Duration.ofMillis(300))) {
            long start = System.nanoTime();
            BgeException e = assertThrows(BgeException.class, () -> t.send(ApiRequest.get("/test/slow").query("millis", 3000)));
            assertInstanceOf(HttpTimeoutException.class, e.getCause());
            assertTrue((System.nanoTime() - start) / 1_000_000 < 2500);
        }
    }

    @Test
    void oneClientServesManyThreads() throws Exception {
        try (Api api = Api.builder("tok").endpoint(server.url()).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) results.add(pool.submit(api::alive));
                for (Future<Boolean> f : results) assertTrue(f.get());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void verboseLogsRequestsAndAnswersWithSecretsMasked() {
        Logger sdkLog = (Logger) LoggerFactory.getLogger("io.omix.sdk");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        sdkLog.addAppender(appender);
        Level before = sdkLog.getLevel();
        sdkLog.setLevel(Level.INFO);
        try (HttpTransport t = new HttpTransport(new ClientConfig(java.net.URI.create(server.url()), 0, Duration.ofSeconds(5),
                true, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5)))) {
            t.send(ApiRequest.post("/test/echo").header("Authorization", "Bearer TOKEN-123")
                    .form("name", "x").form("client_secret", "SECRET-456").query("access_token", "TOKEN-789"));
            String logged = appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
            assertTrue(logged.contains("--> POST " + server.url() + "/test/echo"), logged);
            assertTrue(logged.contains("<-- 200 POST /test/echo"), logged);
            assertTrue(logged.contains("Bearer ***"), logged);
            assertNotNull(logged);
            assertFalse(logged.contains("TOKEN-123"));
            assertFalse(logged.contains("SECRET-456"));
            assertFalse(logged.contains("TOKEN-789"));
        } finally {
            sdkLog.detachAppender(appender);
            sdkLog.setLevel(before);
        }
    }
}
