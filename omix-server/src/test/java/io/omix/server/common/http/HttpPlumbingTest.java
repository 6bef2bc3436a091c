package io.omix.server.common.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared plumbing seen from outside: envelope, validation, both body encodings, errors, logs, metrics. */
class HttpPlumbingTest {
    static TestServer server;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        server = TestServer.start(ProbeCapability::new);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return ServerJson.MAPPER.readTree(r.body());
    }

    @Test
    void pingAnswersPlainText() throws Exception {
        HttpResponse<String> r = get("/ping");
        assertEquals(200, r.statusCode());
        assertEquals("pong", r.body());
    }

    @Test
    void successIsAnEnvelopeWithCodeZero() throws Exception {
        HttpResponse<String> r = get("/test/echo?name=ann&biosample_sites=1,2");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        JsonNode body = json(r);
        assertEquals(0, body.get("code").intValue());
        assertEquals("", body.get("msg").textValue());
        assertEquals("ann", body.at("/data/name").textValue());
        assertEquals(50, body.at("/data/limit").intValue());
        assertEquals("[1,2]", body.at("/data/biosample_sites").toString());
        assertTrue(body.get("data").has("biosample_id"), "absent values are answered as null, not dropped");
    }

    @Test
    void formAndJsonBodiesAreEquivalent() throws Exception {
        HttpResponse<String> form = post("/test/echo", "application/x-www-form-urlencoded",
                "name=%E5%BC%A0%E4%B8%89&limit=7&biosample_sites=3&duplicate_enabled=True&stream_data=%7B%22v%22%3A1%7D");
        HttpResponse<String> jsonBody = post("/test/echo", "application/json; charset=utf-8",
                "{\"name\":\"张三\",\"limit\":7,\"biosample_sites\":[3],\"duplicate_enabled\":true,\"stream_data\":{\"v\":1}}");
        assertEquals(0, json(form).get("code").intValue(), form.body());
        assertEquals(json(form), json(jsonBody));
        assertEquals("张三", json(form).at("/data/name").textValue());
    }

    @Test
    void badParametersAre41001NamingEachParameterOnHttp200() throws Exception {
        HttpResponse<String> r = get("/test/echo?limit=500&biosample_sites=0,abc&biosample_id=E-123");
        assertEquals(200, r.statusCode(), "API errors travel on HTTP 200");
        JsonNode body = json(r);
        assertEquals(41001, body.get("code").intValue());
        assertEquals("参数错误", body.get("msg").textValue());
        assertEquals("is required", body.at("/data/name").textValue());
        assertEquals("must be an integer from 1 to 100", body.at("/data/limit").textValue());
        assertEquals("0 is out of range 1..15", body.at("/data/biosample_sites").textValue());
        assertEquals("must be E- + an upper-case letter + 11 digits", body.at("/data/biosample_id").textValue());
    }

    @Test
    void aParameterInBothQueryAndBodyIsRefused() throws Exception {
        HttpResponse<String> r = post("/test/echo?name=a", "application/x-www-form-urlencoded", "name=b");
        assertEquals("given more than once", json(r).at("/data/name").textValue());
    }

    @Test
    void malformedJsonAndUnsupportedContentTypesAre41001() throws Exception {
        JsonNode malformed = json(post("/test/echo", "application/json", "{\"name\": "));
        assertEquals(41001, malformed.get("code").intValue());
        assertTrue(malformed.at("/data/body").textValue().startsWith("malformed JSON"));
        JsonNode notObject = json(post("/test/echo", "application/json", "[1,2]"));
        assertEquals("must be a JSON object", notObject.at("/data/body").textValue());
        JsonNode xml = json(post("/test/echo", "application/xml", "<a/>"));
        assertEquals(41001, xml.get("code").intValue());
        assertNotNull(xml.at("/data/Content-Type").textValue());
        // Numbers a double cannot hold (an aggregate of one was infinite, answered as the text "Infinity").
        for (String number : new String[] {"1e399", "-2e308", "1" + "0".repeat(400), "1e-500"}) {
            JsonNode huge = json(post("/test/echo", "application/json", "{\"name\": \"n\", \"stream_data\": {\"v\": " + number + "}}"));
            assertEquals(41001, huge.get("code").intValue(), number);
            assertTrue(huge.get("data").toString().contains("a number out of range"), huge.toString());
        }
        JsonNode largest = json(post("/test/echo", "application/json", "{\"name\": \"n\", \"stream_data\": {\"v\": 1.7976931348623157e308, \"w\": 1e-400}}"));
        assertEquals(0, largest.get("code").intValue(), largest.toString());
    }

    /**
     * A JSON body is read into a tree of at most 20,000 values, names and brackets when sent with no credentials (four
     * million with them): 16 MiB of {@code {}} sent to a public route was half a gigabyte of nodes, and a few at once ran the
     * server out of memory.
     */
    @Test
    void aJsonBodyWithoutCredentialsHoldsABoundedNumberOfValues() throws Exception {
        String many = "{\"name\": \"n\", \"stream_data\": {\"v\": [" + "{},".repeat(15_000) + "{}]}}";
        JsonNode refused = json(post("/test/echo", "application/json", many));
        assertEquals(41001, refused.get("code").intValue(), refused.toString());
        assertTrue(refused.at("/data/body").textValue().contains("more than 20000 values, names and brackets"), refused.toString());
        String fewer = "{\"name\": \"n\", \"stream_data\": {\"v\": [" + "1,".repeat(15_000) + "1]}}";
        JsonNode taken = json(post("/test/echo", "application/json", fewer));
        assertNotEquals(41001, taken.get("code").intValue(), "fifteen thousand numbers fit: " + taken.toString().substring(0, 200));
    }

    @Test
    void apiErrorsCarryTheirFixedCodeAndMessage() throws Exception {
        JsonNode body = json(get("/test/refuse"));
        assertEquals(41303, body.get("code").intValue());
        assertEquals("请提供本人的 biosample_id", body.get("msg").textValue());
    }

    @Test
    void privateSurfaceSpeaksTheEnvelopeToo() throws Exception {
        JsonNode body = json(post("/private/test/echo", "application/x-www-form-urlencoded", "limit=0"));
        assertEquals(41001, body.get("code").intValue());
    }

    @Test
    void unexpectedFailuresAre500WithoutInternalsAndWithARequestId() throws Exception {
        HttpResponse<String> r = get("/test/boom");
        assertEquals(500, r.statusCode());
        JsonNode body = json(r);
        assertEquals(500, body.get("code").intValue());
        assertEquals("服务器内部错误", body.get("msg").textValue());
        assertFalse(r.body().contains("hunter2"));
        assertFalse(r.body().contains("Exception"));
        assertFalse(r.body().contains("at io.omix"));
        assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(), body.at("/data/request_id").textValue());
    }

    /** What a raw request line gets (the JDK's client refuses to send a malformed URI): the status line and the body. */
    static String[] raw(String requestLine, String extraHeader) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", java.net.URI.create(server.url()).getPort())) {
            socket.getOutputStream().write((requestLine + "\r\nHost: localhost\r\n" + extraHeader + "Connection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new String[] {answer.substring(0, answer.indexOf("\r\n")), answer.substring(answer.indexOf("\r\n\r\n") + 4)};
        }
    }

    /**
     * Refusals made before any route runs say what went wrong: in English on the dataset batches API (whose errors are
     * English), with the open platform's envelope keeping its fixed messages and saying more than a bare status otherwise.
     */
    @Test
    void refusalsBeforeAnyRouteSayWhatWentWrong() throws Exception {
        HttpResponse<String> missing = get("/api/v2/workspaces/1/no-such-thing");
        assertEquals(404, missing.statusCode());
        assertEquals("no endpoint at this path", json(missing).get("detail").textValue(), missing.body());
        String[] bigHeaders = raw("GET /api/v2/workspaces/1/projects/1/datasets HTTP/1.1", "X-Big: " + "a".repeat(70_000) + "\r\n");
        assertTrue(bigHeaders[0].contains(" 431"), bigHeaders[0]);
        assertEquals("the request's headers are too large", ServerJson.MAPPER.readTree(bigHeaders[1]).get("detail").textValue(), bigHeaders[1]);
        String[] badEscape = raw("GET /ping%zz HTTP/1.1", "");
        assertTrue(badEscape[0].contains(" 400"), badEscape[0]);
        assertTrue(ServerJson.MAPPER.readTree(badEscape[1]).get("msg").textValue().startsWith("HTTP 400: the request could not be read"), badEscape[1]);
        assertEquals("接口不存在", json(get("/no/such/path")).get("msg").textValue(), "the envelope's fixed message stays");
    }

    @Test
    void unknownPathsAre404AndWrongMethodsAre405() throws Exception {
        HttpResponse<String> missing = get("/no/such/path");
        assertEquals(404, missing.statusCode());
        assertEquals(404, json(missing).get("code").intValue());
        HttpResponse<String> wrongMethod = post("/ping", "application/json", "{}");
        assertTrue(wrongMethod.statusCode() == 404 || wrongMethod.statusCode() == 405, "got " + wrongMethod.statusCode());
        assertEquals(wrongMethod.statusCode(), json(wrongMethod).get("code").intValue());
    }

    @Test
    void datasetsSurfaceErrorsUseStatusCodeDetailExtra() throws Exception {
        HttpResponse<String> missing = get("/api/v2/workspaces/1/nothing");
        assertEquals(404, missing.statusCode());
        JsonNode body = json(missing);
        assertEquals(404, body.get("status_code").intValue());
        assertTrue(body.has("detail"));
        assertTrue(body.get("extra").isObject());
        HttpResponse<String> boom = get("/api/v2/test/boom");
        assertEquals(500, boom.statusCode());
        assertEquals(500, json(boom).get("status_code").intValue());
        assertFalse(boom.body().contains("internal detail"));
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        try (TestServer small = TestServer.start("h2", java.util.Map.of("server.max-request-bytes", "2048"), ProbeCapability::new)) {
            String big = "name=" + "a".repeat(5000);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(small.url() + "/test/echo"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode());
            assertEquals(413, json(r).get("code").intValue());
        }
    }

    @Test
    void requestIdsAreEchoedOrGenerated() throws Exception {
        HttpResponse<String> given = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/ping"))
                .header("X-Request-Id", "abc-123").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("abc-123", given.headers().firstValue("X-Request-Id").orElseThrow());
        HttpResponse<String> unsafe = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/ping"))
                .header("X-Request-Id", "<script>").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(unsafe.headers().firstValue("X-Request-Id").orElseThrow().matches("[0-9a-f-]{36}"));
    }

    @Test
    void accessLogIsStructuredAndNeverContainsQueryStrings() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("omix.access");
        ch.qos.logback.classic.Level before = access.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        access.addAppender(appender);
        access.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            get("/test/echo?name=x&access_token=SECRET-TOKEN-VALUE");
            String logged = appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
            assertTrue(logged.contains("method=GET path=/test/echo route=/test/echo status=200 code=0"), logged);
            assertTrue(logged.contains("request_id="), logged);
            assertFalse(logged.contains("SECRET-TOKEN-VALUE"));
        } finally {
            access.detachAppender(appender);
            access.setLevel(before);
        }
    }

    /** With metrics.token-sha256 set, /metrics answers only the bearer of that token (401 naming the setting otherwise). */
    @Test
    void metricsAnswerOnlyTheirTokenWhenOneIsSet() throws Exception {
        String token = "scrape-" + System.nanoTime();
        try (TestServer s = TestServer.builder().setting("metrics.token-sha256", io.omix.server.common.auth.Secrets.hash(token)).start()) {
            java.net.URI metrics = java.net.URI.create(s.url() + "/metrics");
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertEquals("Bearer realm=\"metrics\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(none.body().contains("jvm_memory"), none.body());
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + token + "x").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode());
            HttpResponse<String> digest = http.send(HttpRequest.newBuilder(metrics)
                    .header("Authorization", "Bearer " + io.omix.server.common.auth.Secrets.hash(token)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, digest.statusCode(), "the stored digest is not itself a token");
            HttpResponse<String> right = http.send(HttpRequest.newBuilder(metrics).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, right.statusCode());
            assertTrue(right.body().contains("jvm_memory_used_bytes"), right.body());
            assertEquals(200, http.send(HttpRequest.newBuilder(java.net.URI.create(s.url() + "/ping")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "/ping stays open");
        }
    }

    /** The count of {@code GET /test/echo} answered 200, as Prometheus reads it (0 before the first). */
    private static double echoCount() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "omix_http_requests_seconds_count\\{method=\"GET\",route=\"/test/echo\",status=\"200\"} ([0-9.eE+]+)").matcher(get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void metricsAreExposedForPrometheusByRoute() throws Exception {
        double before = echoCount();
        get("/test/echo?name=m");
        get("/test/echo?name=n");
        get("/definitely/unknown/" + System.nanoTime());
        // Methods of a client's own invention share one label too.
        for (String method : new String[] {"FOO1", "FOO2"}) {
            int status = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/ping")).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertTrue(status >= 400 && status < 500, method + " " + status);
        }
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        // Each request counted by the route's one timer (looked up, not built again per request).
        assertEquals(before + 2, echoCount(), r.body());
        assertTrue(r.body().contains("route=\"unmatched\""));
        assertFalse(r.body().contains("/definitely/unknown/"), "unknown paths must not become metric labels");
        assertFalse(r.body().contains("FOO1"), "unknown methods must not become metric labels");
        assertTrue(r.body().contains("method=\"other\""), r.body());
        assertTrue(r.body().contains("hikaricp_connections"));
        assertTrue(r.body().contains("jvm_memory_used_bytes"));
    }
}
