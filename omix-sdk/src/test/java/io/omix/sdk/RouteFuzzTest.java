package io.omix.sdk;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.apps.RequestSignature;
import io.omix.server.common.auth.Access;
import io.omix.server.common.http.Routes;
import io.omix.server.common.validation.BoolParam;
import io.omix.server.common.validation.DateTimeParam;
import io.omix.server.common.validation.DecimalParam;
import io.omix.server.common.validation.IntListParam;
import io.omix.server.common.validation.JsonParam;
import io.omix.server.common.validation.Param;
import io.omix.server.common.validation.PartialTimeParam;
import io.omix.server.common.validation.StringListParam;
import io.omix.server.common.validation.IntParam;
import io.omix.server.common.validation.LongParam;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guarantee rather than a list: every route the server registers (read from its own route table,
 * so that new routes are covered without editing this test) is called, properly authenticated, with
 * generated malformed input for each declared parameter by its type, with malformed bodies (deep,
 * wide, oversized, duplicate keys, out-of-range numbers, not JSON, wrong content types), with bad
 * percent-escapes, and with every method it does not have. Every answer must be below 500, in its
 * surface's error shape, name the offending parameter when it is a 41001, and carry no class, package
 * or file names; afterwards the server answers and its log holds no ERROR. On H2 and PostgreSQL.
 */
class RouteFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BODY = 256 * 1024;
    /** Internals that must never reach a client. */
    static final Pattern INTERNALS = Pattern.compile(
            "\\b(java|javax|jakarta|sun|org\\.eclipse|org\\.h2|org\\.postgresql|com\\.fasterxml|com\\.zaxxer|htsjdk|io\\.omix|io\\.javalin|software\\.amazon)\\.[a-zA-Z]"
                    + "|\\b[A-Z][A-Za-z]+(Exception|Error)\\b|/tmp/|/work/|/root/|/usr/lib|\\bat [a-z]+\\.[a-z]+\\.");
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

    /**
     * @param param the parameter the case gets wrong, which a 41001 must name: the fuzzed parameter when its
     *              own rule refuses the value, "body" for a malformed body; null when nothing need be named
     */
    record Case(String label, String method, String pathAndQuery, String contentType, byte[] body, String param) {}

    /** The parameter to name when the server refuses {@code value} for {@code p}, by {@code p}'s own rule; null when the rule accepts it. */
    static String offending(Param<?, ?> p, JsonNode value) {
        try {
            io.omix.server.common.validation.ParamSpec.of(p).parse(Map.of(p.name(), List.of(value)));
            return null;
        } catch (io.omix.server.common.http.ApiException refused) {
            return p.name();
        }
    }

    static JsonNode sentAsJson(String bad) {
        try {
            return JSON.readTree(jsonText(bad));
        } catch (Exception e) {
            return null;
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void everyRouteAnswersEveryMalformedInputCleanly(String kind) throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        try (TestServer s = TestServer.builder().database(kind).setting("server.max-request-bytes", String.valueOf(MAX_BODY))
                .setting("models.pool-size", "0").start()) {
            Callers callers = new Callers(s);
            List<Routes.Route> table = s.server().routeTable();
            assertTrue(table.size() > 60, "the route table lists the endpoints: " + table.size());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            int cases = 0;
            List<String> failures = new ArrayList<>();
            Map<String, Set<String>> methodsByPath = new LinkedHashMap<>();
            for (Routes.Route route : table) {
                methodsByPath.computeIfAbsent(route.path(), p -> new LinkedHashSet<>()).add(route.method());
                for (Case c : cases(route)) {
                    cases++;
                    check(http, s, callers, route, c, failures);
                }
            }
            // Wrong methods: 405 with Allow, never 404 or 5xx.
            for (Map.Entry<String, Set<String>> path : methodsByPath.entrySet()) {
                String concrete = concrete(path.getKey());
                for (String method : METHODS) {
                    // A method is wrong for a path when no route of that method matches it (GET /model/deploy is /model/{model_id}).
                    if (table.stream().anyMatch(r -> r.method().equals(method) && matches(r.path(), concrete))) continue;
                    cases++;
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + concrete(path.getKey())))
                            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 405 || r.headers().firstValue("Allow").isEmpty()) {
                        failures.add(method + " " + path.getKey() + ": wrong method answered " + r.statusCode() + " " + r.headers().firstValue("Allow"));
                    }
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases failed:\n" + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
            HttpResponse<String> ping = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/ping")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ping.statusCode(), "the server is healthy afterwards");
            List<String> errors = log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
            assertEquals(List.of(), errors, "no ERROR in the log");
            System.out.printf("RouteFuzzTest[%s]: %d endpoints, %d paths, %d cases%n", kind, table.size(), methodsByPath.size(), cases);
        } finally {
            root.detachAppender(log);
        }
    }

    static boolean matches(String pattern, String path) {
        String regex = Pattern.quote(pattern).replaceAll("\\{[a-z_]+\\}", "\\\\E[^/]+\\\\Q").replaceAll("<[a-z_]+>", "\\\\E.+\\\\Q");
        return path.matches(regex);
    }

    /** The malformed requests for one route. */
    static List<Case> cases(Routes.Route route) {
        List<Case> out = new ArrayList<>();
        String path = concrete(route.path());
        String m = route.method();
        boolean bodyMethod = !m.equals("GET") && !m.equals("DELETE");
        for (Param<?, ?> p : route.spec().params()) {
            if (route.path().contains("{" + p.name() + "}") || route.path().contains("<" + p.name() + ">")) continue;
            for (String bad : malformed(p)) {
                String q = p.name() + "=" + URLEncoder.encode(bad, StandardCharsets.UTF_8);
                String asText = offending(p, com.fasterxml.jackson.databind.node.TextNode.valueOf(bad));
                if (bodyMethod && route.kind() != Routes.Kind.ENVELOPE_PAYLOAD && route.kind() != Routes.Kind.RESOURCE_PAYLOAD) {
                    out.add(new Case(p.name() + "=" + abbreviate(bad) + " (form)", m, path, "application/x-www-form-urlencoded",
                            q.getBytes(StandardCharsets.UTF_8), asText));
                    JsonNode json = sentAsJson(bad);
                    out.add(new Case(p.name() + "=" + abbreviate(bad) + " (json)", m, path, "application/json",
                            ("{\"" + p.name() + "\": " + jsonText(bad) + "}").getBytes(StandardCharsets.UTF_8), json == null ? "body" : offending(p, json)));
                } else {
                    out.add(new Case(p.name() + "=" + abbreviate(bad), m, path + "?" + q, null, null, asText));
                }
            }
        }
        out.add(new Case("malformed escapes", m, path + "?x=%zz&y=%G1&z=%", null, null, null));
        if (bodyMethod) {
            out.add(new Case("deep JSON", m, path, "application/json", ("{\"a\":" + "[".repeat(300) + "]".repeat(300) + "}").getBytes(StandardCharsets.UTF_8), "body"));
            StringBuilder wide = new StringBuilder("{");
            for (int i = 0; i < 5000; i++) wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
            out.add(new Case("wide JSON", m, path, "application/json", wide.append("}").toString().getBytes(StandardCharsets.UTF_8), null));
            out.add(new Case("duplicate keys", m, path, "application/json", "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8), "body"));
            out.add(new Case("huge number", m, path, "application/json", "{\"a\":1e9999999999}".getBytes(StandardCharsets.UTF_8), "body"));
            out.add(new Case("big exponent", m, path, "application/json", "{\"a\":1e99999}".getBytes(StandardCharsets.UTF_8), "body"));
            out.add(new Case("not an object", m, path, "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8), "body"));
            out.add(new Case("broken JSON", m, path, "application/json", "{\"a\":".getBytes(StandardCharsets.UTF_8), "body"));
            out.add(new Case("text body", m, path, "text/plain", "hello".getBytes(StandardCharsets.UTF_8), null));
            out.add(new Case("xml body", m, path, "application/xml", "<a/>".getBytes(StandardCharsets.UTF_8), null));
            out.add(new Case("form escapes", m, path, "application/x-www-form-urlencoded", "a=%zz&%G1=2".getBytes(StandardCharsets.UTF_8), null));
            out.add(new Case("oversized", m, path, "application/x-www-form-urlencoded", ("a=" + "x".repeat((int) MAX_BODY + 1024)).getBytes(StandardCharsets.UTF_8), null));
        }
        return out;
    }

    static List<String> malformed(Param<?, ?> p) {
        List<String> v = new ArrayList<>(List.of("", " ", "x".repeat(5000), "\u0000\u0007", "%zz", "(" + " ".repeat(198) + "x"));
        if (p instanceof IntParam || p instanceof LongParam || p instanceof DecimalParam) {
            v.addAll(List.of("abc", "1e999", "99999999999999999999999", "-99999999999", "0x10", "1.5", "NaN", "Infinity"));
        }
        if (p instanceof BoolParam) v.addAll(List.of("maybe", "2"));
        if (p instanceof IntListParam || p instanceof StringListParam) v.addAll(List.of(",,,", "1,,2", "1,".repeat(3000), "a,b", "-1"));
        if (p instanceof JsonParam) {
            v.addAll(List.of("{", "[".repeat(200) + "]".repeat(200), "{\"a\":1,\"a\":2}", "{\"a\":1e99999}", "1e9999999999"));
        }
        if (p instanceof DateTimeParam || p instanceof PartialTimeParam) {
            v.addAll(List.of("2021-13-45", "9999999999999", "2021-01-01T25:61:61", "-1", "1970-01-01T00:00:00+99:99"));
        }
        return v;
    }

    /** The value as a JSON string or, when it reads as a number or a structure, as itself (to hit parsers too). */
    static String jsonText(String bad) {
        if (bad.matches("-?[0-9.e]+") || bad.startsWith("{") || bad.startsWith("[")) return bad;
        try {
            return JSON.writeValueAsString(bad);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "…(" + s.length() + ")" : s.replace("\u0000", "\\0");
    }

    /** A path with its parameters filled with plausible values. */
    static String concrete(String path) {
        return path.replace("{biosample_id}", "E-B00000000001").replace("{model_id}", "m1").replace("{task_id}", UUID.randomUUID().toString())
                .replace("{upload_id}", "u1").replace("{part_number}", "1").replace("{username}", "nobody1").replace("{client_id}", "nope")
                .replace("<object_name>", "DUS-1/x.txt").replaceAll("\\{[a-z_]*id\\}", "1").replaceAll("\\{[a-z_]+\\}", "x")
                .replaceAll("<[a-z_]+>", "x");
    }

    /** What came back: status, content type, body. */
    record Answer(int statusCode, String contentType, String body) {}

    void check(HttpClient http, TestServer s, Callers callers, Routes.Route route, Case c, List<String> failures) throws Exception {
        byte[] body = c.body() == null ? new byte[0] : c.body();
        Map<String, String> headers = new LinkedHashMap<>();
        if (c.contentType() != null) headers.put("Content-Type", c.contentType());
        callers.authenticate(route.access(), headers, c.method(), c.pathAndQuery(), body);
        Answer r;
        if (c.pathAndQuery().contains("%zz")) {
            r = raw(s, c.method(), c.pathAndQuery(), headers, body); // the JDK's client refuses to send a malformed URI
        } else {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + c.pathAndQuery())).timeout(Duration.ofSeconds(60))
                    .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            HttpResponse<String> h;
            try {
                h = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException closedAfterAnEarlierAnswer) {
                // A connection the server closed after its previous answer (a refused body), or reset while this body was
                // still being sent (a payload route answers before reading it all, and the reset can take its answer with
                // it): once more, on a client of its own, so the retry cannot meet another pooled connection the server has
                // closed, and asking to continue before the body, as a client sending a large body does.
                try {
                    h = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(b.expectContinue(true).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    failures.add(c.method() + " " + route.path() + " [" + c.label() + "]: no answer: " + e.getMessage());
                    return;
                }
            }
            r = new Answer(h.statusCode(), h.headers().firstValue("Content-Type").orElse(""), h.body());
        }
        String what = c.method() + " " + route.path() + " [" + c.label() + "]";
        if (r.statusCode() >= 500) {
            failures.add(what + ": HTTP " + r.statusCode() + " " + abbreviate(r.body()));
            return;
        }
        if (INTERNALS.matcher(r.body()).find()) {
            java.util.regex.Matcher hit = INTERNALS.matcher(r.body());
            hit.find();
            failures.add(what + ": internals in the answer: '" + hit.group() + "' in " + r.body().substring(0, Math.min(300, r.body().length())));
            return;
        }
        if (c.label().equals("oversized") && r.statusCode() != 413 && route.access() != Access.UPLOAD_CREDENTIALS
                && (route.kind() == Routes.Kind.ENVELOPE || route.kind() == Routes.Kind.RESOURCE)) {
            // Parameters in a body: never silently dropped (and then "is required"), refused as too large.
            // (Payload routes stream bodies of any size; upload-credential routes check their signature first.)
            failures.add(what + ": an oversized body answered " + r.statusCode() + " " + abbreviate(r.body()));
            return;
        }
        if (route.kind() == Routes.Kind.PLAIN) return;
        String type = r.contentType();
        if (!type.startsWith("application/json") && !type.startsWith("application/fhir+json")) {
            if (r.statusCode() >= 400) failures.add(what + ": an error that is not JSON: " + r.statusCode() + " " + type);
            return;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(r.body());
        } catch (Exception e) {
            failures.add(what + ": unreadable JSON answer");
            return;
        }
        if (route.path().startsWith("/htsget/")) {
            // htsget's error shape.
            if (r.statusCode() >= 400 && !(answer.path("htsget").has("error") && answer.path("htsget").has("message"))) {
                failures.add(what + ": not htsget's error shape: " + abbreviate(r.body()));
            }
            return;
        }
        if (route.path().equals("/oauth2/token")) {
            // RFC 6749's error answer.
            // (A body refused for its size, before any handler, is the server-wide HTTP error.)
            if (r.statusCode() >= 400 && r.statusCode() != 413 && !(answer.has("error") && answer.has("error_description"))) {
                failures.add(what + ": not RFC 6749's error shape: " + abbreviate(r.body()));
            }
            return;
        }
        if (route.path().startsWith("/fhir")) {
            // FHIR's OperationOutcome, a refused parameter in its expression or diagnostics.
            if (r.statusCode() >= 400) {
                JsonNode issue = answer.path("issue").path(0);
                if (!"OperationOutcome".equals(answer.path("resourceType").asText()) || !issue.has("code") || !issue.has("severity")) {
                    failures.add(what + ": not an OperationOutcome: " + abbreviate(r.body()));
                } else if (r.statusCode() == 400 && c.param() != null && !c.param().equals("body")
                        && !issue.path("expression").toString().contains(c.param()) && !issue.path("diagnostics").asText().contains(c.param())
                        && !issue.path("diagnostics").asText().contains("body")) {
                    failures.add(what + ": a 400 without naming " + c.param() + ": " + abbreviate(r.body()));
                }
            }
            return;
        }
        if (route.path().startsWith("/beacon/")) {
            // The Beacon's error response: its meta, the HTTP status as errorCode, a refused parameter named.
            if (r.statusCode() >= 400) {
                if (!(answer.has("meta") && answer.path("error").path("errorCode").asInt() == r.statusCode())) {
                    failures.add(what + ": not a Beacon error response: " + abbreviate(r.body()));
                } else if (r.statusCode() == 400 && c.param() != null && !c.param().equals("body")
                        && !answer.path("error").path("errorMessage").asText().contains(c.param())
                        && !answer.path("error").path("errorMessage").asText().contains("body:")) { // a body refused whole names the body
                    failures.add(what + ": a 400 without naming " + c.param() + ": " + abbreviate(r.body()));
                }
            }
            return;
        }
        if (route.path().startsWith("/ga4gh/")) {
            // The GA4GH APIs' error shape, its status_code the HTTP status.
            if (r.statusCode() >= 400 && !(answer.has("msg") && answer.path("status_code").asInt() == r.statusCode())) {
                failures.add(what + ": not the GA4GH error shape: " + abbreviate(r.body()));
            }
            return;
        }
        boolean datasets = route.path().startsWith("/api/v2");
        if (datasets) {
            if (r.statusCode() >= 400 && !(answer.has("status_code") && answer.has("detail") && answer.has("extra"))) {
                failures.add(what + ": not the dataset API's error shape: " + abbreviate(r.body()));
            }
            return;
        }
        if (!(answer.has("code") && answer.has("msg") && answer.has("data"))) {
            failures.add(what + ": not an envelope: " + abbreviate(r.body()));
            return;
        }
        if (answer.path("code").asInt() == 41001 && c.param() != null && !answer.path("data").has(c.param())
                && !(c.param().equals("body") && answer.path("data").size() > 0)) {
            failures.add(what + ": 41001 without naming " + c.param() + ": " + answer.path("data"));
        }
    }

    /** One request over a plain socket, sent as given. */
    static Answer raw(TestServer s, String method, String pathAndQuery, Map<String, String> headers, byte[] body) throws Exception {
        URI base = URI.create(s.url());
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String top = split < 0 ? all : all.substring(0, split);
            String content = split < 0 ? "" : all.substring(split + 4);
            int status = Integer.parseInt(top.substring(9, 12));
            String type = "";
            for (String line : top.split("\r\n")) if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) type = line.substring(13).trim();
            return new Answer(status, type, content);
        }
    }

    /** Credentials for every kind of access a route may declare. */
    static final class Callers {
        final String operatorToken;
        final String clientToken;
        final Identity.Client app;
        final Identity.Client datasetKey;
        final Map<String, String> upload = new LinkedHashMap<>();

        Callers(TestServer s) throws Exception {
            operatorToken = Identity.operatorToken(s, "fuzzop");
            Identity.Client client = Identity.confidentialClient(s);
            TokenStore tokens = new TokenStore(Identity.platform(s));
            clientToken = tokens.issue(TokenStore.newFamily(), client.id(), null, OAuthClient.CLIENT_CREDENTIALS,
                    String.join(" ", io.omix.server.common.auth.Scope.defaults()), null, false).accessToken();
            app = Identity.app(s, "FUZZ_APP");
            datasetKey = Identity.datasetKey(s);
            try (Api api = Api.builder(operatorToken).endpoint(s.url()).build()) {
                Model c = api.getUploadToken();
                upload.put("id", c.at("credentials.access_key_id").toString());
                upload.put("secret", c.at("credentials.access_key_secret").toString());
                upload.put("token", c.at("credentials.security_token").toString());
            }
        }

        void authenticate(Access access, Map<String, String> b, String method, String pathAndQuery, byte[] body) {
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            String query = q < 0 ? null : pathAndQuery.substring(q + 1);
            String timestamp = String.valueOf(System.currentTimeMillis() / 1000);
            String nonce = UUID.randomUUID().toString().replace("-", "");
            switch (access) {
                case PUBLIC -> { }
                case CLIENT_TOKEN -> b.put("Authorization", "Bearer " + clientToken);
                case TOKEN, USER_TOKEN, OPERATOR -> b.put("Authorization", "Bearer " + operatorToken);
                case DATASET_KEY -> {
                    b.put("X-API-KEY", datasetKey.id());
                    b.put("X-API-SECRET", datasetKey.secret());
                }
                case PRIVATE_APP -> {
                    b.put(RequestSignature.APP_KEY, app.id());
                    b.put(RequestSignature.TIMESTAMP, timestamp);
                    b.put(RequestSignature.NONCE, nonce);
                    b.put(RequestSignature.SIGNATURE, sign(app.secret(), () -> RequestSignature.canonical(method, path, query, body, timestamp, nonce)));
                }
                case UPLOAD_CREDENTIALS -> {
                    String sha = HexFormat.of().formatHex(io.omix.server.common.auth.Secrets.sha256(body));
                    b.put("X-Omix-Access-Key-Id", upload.get("id"));
                    b.put("X-Omix-Security-Token", upload.get("token"));
                    b.put(RequestSignature.TIMESTAMP, timestamp);
                    b.put(RequestSignature.NONCE, nonce);
                    b.put("X-Omix-Content-SHA256", sha);
                    b.put(RequestSignature.SIGNATURE, sign(upload.get("secret"),
                            () -> RequestSignature.canonicalWithBodyHash(method, path, query, sha, timestamp, nonce)));
                }
            }
        }

        /** The signature, or a placeholder where the query itself is malformed (the server refuses it before any signature check). */
        static String sign(String secret, java.util.function.Supplier<String> canonical) {
            try {
                return RequestSignature.sign(secret, canonical.get());
            } catch (RuntimeException malformedQuery) {
                return "unsignable";
            }
        }
    }
}
