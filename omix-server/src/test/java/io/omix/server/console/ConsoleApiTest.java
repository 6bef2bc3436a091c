package io.omix.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's session as an API caller, and the operator endpoints its pages use, over HTTP on
 * the embedded store and PostgreSQL: the CSRF header is required, a session sees only its user's
 * data, plain users are refused operator endpoints, and what operators change takes effect at once.
 */
class ConsoleApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern META_CSRF = Pattern.compile("<meta name=\"omix-csrf\" content=\"([^\"]+)\">");

    /** A browser signed in to the console: its cookies and the CSRF token its pages carry. */
    static final class Console {
        final LoginPage page = new LoginPage();
        final String base;
        String csrf;

        Console(String base) {
            this.base = base;
        }

        HttpResponse<String> login(String username, String password) throws Exception {
            HttpResponse<String> form = page.get(base + "/console/login");
            Map<String, String> fields = LoginPage.hiddenFields(form.body());
            fields.put("username", username);
            fields.put("password", password);
            HttpResponse<String> answer = page.post(base + "/console/login", fields);
            if (answer.statusCode() == 303) {
                Matcher m = META_CSRF.matcher(page.get(base + "/console/samples").body());
                if (m.find()) csrf = m.group(1);
            }
            return answer;
        }

        JsonNode call(String method, String path, Object body) throws Exception {
            return call(method, path, body, csrf);
        }

        JsonNode call(String method, String path, Object body, String csrfHeader) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
            if (csrfHeader != null) b.header(ConsoleSessions.CSRF_HEADER, csrfHeader);
            if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
            else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> r = page.browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(r.body());
            if (json.isObject()) ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("_http", r.statusCode());
            return json;
        }
    }

    private static JsonNode demo(TestServer server) throws Exception {
        return JSON.readTree(Files.readString(server.server().demoCredentials().orElseThrow()));
    }

    private static Console signedIn(TestServer server, JsonNode demo, String section) throws Exception {
        Console c = new Console(server.url());
        HttpResponse<String> r = c.login(demo.path(section).path("username").asText(), demo.path(section).path("password").asText());
        assertEquals(303, r.statusCode(), r.body());
        return c;
    }

    private static JsonNode clientCredentialsToken(TestServer server, String clientId, String secret) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/oauth2/access_token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static TestServer start(String kind) {
        return TestServer.builder().database(kind).setting("demo.enabled", "true").start();
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aSessionCallsTheApiForItsUserOnlyAndOnlyWithItsCsrfHeader(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            JsonNode demo = demo(server);
            Console user = signedIn(server, demo, "user");
            JsonNode samples = user.call("GET", "/samples", null);
            assertEquals(0, samples.path("code").asInt(), samples.toString());
            assertEquals(2, samples.path("data").path("count").asInt(), "the demo user's two samples");

            assertEquals(403, user.call("GET", "/samples", null, null).path("code").asInt(), "the cookie alone is not enough");
            assertEquals(403, user.call("GET", "/samples", null, "forged").path("code").asInt());
            Console other = signedIn(server, demo, "second_user");
            assertNotEquals(user.csrf, other.csrf);
            assertEquals(403, user.call("GET", "/samples", null, other.csrf).path("code").asInt(), "another session's token does not fit");

            JsonNode theirs = other.call("GET", "/samples", null);
            assertEquals(1, theirs.path("data").path("count").asInt());
            assertEquals(demo.path("samples").path("second_user").asText(), theirs.path("data").path("result").path(0).path("biosample_id").asText());
            assertEquals(41303, other.call("GET", "/samples/" + demo.path("samples").path("genomics").asText(), null).path("code").asInt());

            // Plain users: operator pages and endpoints are refused.
            assertEquals(403, user.page.get(server.url() + "/console/admin/apps").statusCode());
            assertEquals(401, user.call("GET", "/admin/clients", null).path("code").asInt());
            JsonNode dataset = demo.path("dataset_api");
            String batches = "/api/v2/workspaces/" + dataset.path("workspace_id").asLong() + "/projects/" + dataset.path("project_id").asLong()
                    + "/datasets/" + dataset.path("dataset_id").asLong() + "/batches";
            JsonNode refused = user.call("GET", batches, null);
            assertEquals(401, refused.path("_http").asInt(), "dataset administration is for operators: " + refused);

            // Signing out needs the page's token; then the session is over.
            assertEquals(303, user.page.post(server.url() + "/console/logout", Map.of()).statusCode());
            assertEquals(0, user.call("GET", "/samples", null).path("code").asInt(), "a logout without the token is ignored");
            user.page.post(server.url() + "/console/logout", Map.of("csrf", user.csrf));
            assertEquals(403, user.call("GET", "/samples", null).path("code").asInt());
            assertEquals(302, user.page.get(server.url() + "/console/samples").statusCode(), "back to the login page");
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aLinkSignedThroughASessionDiesWithTheSession(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            JsonNode demo = demo(server);
            io.omix.server.Platform platform = server.server().platform();
            String userId = demo.path("user").path("user_id").asText();
            String name = "session-links/notes.txt";
            var stored = platform.objects().put(name, new java.io.ByteArrayInputStream("my notes".getBytes(StandardCharsets.UTF_8)), 1000, null);
            platform.database().jdbc().inTransaction(tx -> {
                io.omix.server.files.FileStore.recordObject(tx, name, "user:" + userId, stored, platform.now());
                return null;
            });
            Console user = signedIn(server, demo, "user");
            JsonNode signed = user.call("POST", "/oss/sign_url", Map.of("object_name", name, "expiration_time", 604800));
            assertEquals(0, signed.path("code").asInt(), signed.toString());
            URI link = URI.create(signed.path("data").path("url").asText());
            HttpClient stranger = HttpClient.newHttpClient();
            assertEquals(200, stranger.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            user.page.post(server.url() + "/console/logout", Map.of("csrf", user.csrf));
            HttpResponse<String> after = stranger.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, after.statusCode(), "signed out: the week-long link the session made is over too");
            assertTrue(after.body().contains("signed out"), after.body());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void operatorsAdministerClientsAndTheChangesTakeEffectAtOnce(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            Console op = signedIn(server, demo(server), "operator");
            JsonNode missing = op.call("POST", "/admin/clients", Map.of("redirect_uris", new String[]{"https://a.example.org/cb"}));
            assertEquals(41001, missing.path("code").asInt());
            assertTrue(missing.path("data").has("name"), missing.toString());
            JsonNode insecure = op.call("POST", "/admin/clients", Map.of("name", "x", "redirect_uris", new String[]{"http://evil.example.org/cb"}));
            assertEquals(41001, insecure.path("code").asInt());
            assertTrue(insecure.path("data").has("redirect_uris"), insecure.toString());

            JsonNode created = op.call("POST", "/admin/clients", Map.of("name", "Partner", "redirect_uris", new String[]{"https://a.example.org/cb"},
                    "grant_types", new String[]{"authorization_code", "client_credentials"}, "scopes", new String[]{"samples"})).path("data");
            String id = created.path("client_id").asText();
            String secret = created.path("client_secret").asText();
            assertTrue(secret.startsWith("ocs_"));
            assertTrue(clientCredentialsToken(server, id, secret).toString().contains("access_token"));
            assertTrue(op.call("GET", "/admin/clients", null).path("data").path("clients").toString().contains(id));

            String rotated = op.call("POST", "/admin/clients/" + id + "/secret", null).path("data").path("client_secret").asText();
            assertNotEquals(secret, rotated);
            assertFalse(clientCredentialsToken(server, id, secret).toString().contains("access_token"), "the old secret stops at once");
            assertTrue(clientCredentialsToken(server, id, rotated).toString().contains("access_token"));

            JsonNode updated = op.call("POST", "/admin/clients/" + id, Map.of("scopes", new String[]{"samples", "streams"},
                    "redirect_uris", new String[]{"https://b.example.org/cb"})).path("data");
            assertEquals("[\"https://b.example.org/cb\"]", updated.path("redirect_uris").toString());
            assertTrue(updated.path("scopes").toString().contains("streams"));
            assertEquals(41001, op.call("POST", "/admin/clients/" + id, Map.of("scopes", new String[]{"everything"})).path("code").asInt());
            op.call("POST", "/admin/clients/" + id, Map.of("disabled", true));
            assertFalse(clientCredentialsToken(server, id, rotated).toString().contains("access_token"), "a disabled client gets no tokens");
            assertEquals(41001, op.call("POST", "/admin/clients/omxnosuchclient", Map.of("disabled", true)).path("code").asInt());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void operatorsCreateUsersBindSamplesAndSuspendBatches(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            JsonNode demo = demo(server);
            Console op = signedIn(server, demo, "operator");
            JsonNode weak = op.call("POST", "/admin/users", Map.of("username", "carol", "password", "123"));
            assertEquals(41001, weak.path("code").asInt());
            assertTrue(weak.path("data").has("password"), weak.toString());
            assertEquals(0, op.call("POST", "/admin/users", Map.of("username", "carol", "password", "Carol-pass-2026")).path("code").asInt());
            assertEquals(41001, op.call("POST", "/admin/users", Map.of("username", "carol", "password", "Carol-pass-2026")).path("code").asInt(),
                    "usernames are unique");
            assertTrue(op.call("GET", "/admin/users", null).path("data").path("users").toString().contains("carol"));

            Console carol = new Console(server.url());
            assertEquals(303, carol.login("carol", "Carol-pass-2026").statusCode());
            assertEquals(0, carol.call("GET", "/samples", null).path("data").path("count").asInt());
            String sample = demo.path("samples").path("genomics").asText();
            assertEquals(0, op.call("POST", "/admin/samples/bind", Map.of("biosample_id", sample, "username", "carol")).path("code").asInt());
            assertEquals(sample, carol.call("GET", "/samples", null).path("data").path("result").path(0).path("biosample_id").asText(), "seen at once");
            assertTrue(op.call("GET", "/admin/samples", null).path("data").toString().contains("carol"));
            op.call("POST", "/admin/samples/bind", Map.of("biosample_id", sample, "username", "carol", "unbind", true));
            assertEquals(0, carol.call("GET", "/samples", null).path("data").path("count").asInt());
            assertEquals(41001, op.call("POST", "/admin/samples/bind", Map.of("biosample_id", sample, "username", "nobody")).path("code").asInt());

            op.call("POST", "/admin/users/carol", Map.of("disabled", true));
            assertEquals(403, carol.call("GET", "/samples", null).path("code").asInt(), "a disabled user's session ends");
            assertEquals(401, new Console(server.url()).login("carol", "Carol-pass-2026").statusCode());

            // Dataset batches of any key: suspend through the dataset API, its rows leave the data, the task is listed.
            JsonNode listed = op.call("GET", "/admin/datasets", null).path("data").path("datasets").path(0);
            String dataset = "/api/v2/workspaces/" + listed.path("workspace_id").asLong() + "/projects/" + listed.path("project_id").asLong()
                    + "/datasets/" + listed.path("dataset_id").asLong();
            assertEquals(3, op.call("GET", dataset + "/data", null).path("data").size());
            long batch = op.call("GET", dataset + "/batches", null).path("batches").path(0).path("id").asLong();
            JsonNode job = op.call("PATCH", dataset + "/batches", Map.of("patch", Map.of("op", "replace", "path", "batches", "value", Map.of("suspend", new long[]{batch}))));
            assertEquals(202, job.path("_http").asInt(), job.toString());
            long jobId = job.path("job_id").asLong();
            String status = "";
            for (int i = 0; i < 200 && !status.equals("success"); i++) {
                Thread.sleep(50);
                status = op.call("GET", "/api/v2/jobs/" + jobId, null).path("job").path("status").asText();
            }
            assertEquals("success", status);
            assertEquals(0, op.call("GET", dataset + "/data", null).path("data").size());
            JsonNode tasks = op.call("GET", "/admin/tasks", null).path("data").path("tasks");
            assertEquals(jobId, tasks.path(0).path("id").asLong());
            assertEquals("SUCCESS", tasks.path(0).path("state").asText());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void pagesSpeakChineseOrEnglishAndLoginIsGuarded(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            JsonNode demo = demo(server);
            Console user = new Console(server.url());
            HttpResponse<String> form = user.page.get(server.url() + "/console/login?lang=zh&next=//evil.example.org");
            assertTrue(form.body().contains("登录 Omix"), "Chinese on request");
            assertTrue(form.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            // No token in the form: refused, whatever the password.
            assertEquals(403, user.page.post(server.url() + "/console/login", Map.of("username", "demo",
                    "password", demo.path("user").path("password").asText())).statusCode());
            Map<String, String> fields = LoginPage.hiddenFields(form.body());
            assertEquals("/console/samples", fields.get("next"), "never an open redirect");
            fields.put("username", "demo");
            fields.put("password", demo.path("user").path("password").asText());
            HttpResponse<String> in = user.page.post(server.url() + "/console/login", fields);
            assertEquals("/console/samples", in.headers().firstValue("Location").orElse(""));
            String cookie = in.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(io.omix.server.users.PasswordSignIn.COOKIE + "=")).findFirst().orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), cookie);
            assertTrue(user.page.get(server.url() + "/console/samples").body().contains("我的样品"), "the language is remembered");
            assertTrue(user.page.get(server.url() + "/console/samples?lang=en").body().contains("My samples"));
            // The consent page shares the console's session: signed in here, it only asks for consent.
            String clientId = demo.path("oauth_client").path("client_id").asText();
            String consent = user.page.get(server.url() + "/oauth2/authorize?response_type=code&client_id=" + clientId + "&redirect_uri="
                    + URLEncoder.encode(demo.path("oauth_client").path("redirect_uri").asText(), StandardCharsets.UTF_8) + "&scope=profile").body();
            assertFalse(consent.contains("name=\"password\""), "no second login");
            assertTrue(consent.contains("/console/assets/console.css"), "one look for both");
        }
    }

    /**
     * An operator (through the console) creates datasets and batches in any key's project, as docs/api.md says: what it
     * creates is that key's, and a batch's source one of that key's datasets (it answered 500, and 400 for the source).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anOperatorCreatesDatasetsAndBatchesInAKeysProject(String kind) throws Exception {
        try (TestServer server = start(kind)) {
            JsonNode demo = demo(server);
            JsonNode keyOf = demo.path("dataset_api");
            String project = "/api/v2/workspaces/" + keyOf.path("workspace_id").asLong() + "/projects/" + keyOf.path("project_id").asLong();
            Console op = signedIn(server, demo, "operator");
            JsonNode made = op.call("POST", project + "/datasets", Map.of("ds_creation_type", "sketch", "dataset_spec", Map.of("name", "By the operator",
                    "dataschema", List.of(Map.of("c_id", "fruit", "c_name", "Fruit", "c_type", "text")), "data_content", List.of(List.of("quince")))));
            assertEquals(201, made.path("_http").asInt(), made.toString());
            assertEquals(keyOf.path("api_key").asText(), made.path("dataset").path("created_by").asText(), "the key's, whose project it is");
            JsonNode batch = op.call("POST", project + "/datasets/" + made.path("dataset").path("id").asLong() + "/batches",
                    Map.of("source_id", keyOf.path("dataset_id").asLong(), "validate_only", false, "delete_source_ds", false,
                            "mapping", List.of(Map.of("source_c_id", "fruit", "destination_c_id", "fruit",
                            "expected_destination_c_type", "TEXT"))));
            assertTrue(batch.path("job_id").isIntegralNumber(), batch.toString());
            Console user = signedIn(server, demo, "user");
            assertEquals(401, user.call("POST", project + "/datasets", Map.of("ds_creation_type", "sketch", "dataset_spec", Map.of("name", "No",
                    "dataschema", List.of(Map.of("c_id", "a", "c_name", "A", "c_type", "text"))))).path("_http").asInt(), "a person is no operator: no dataset key");
        }
    }
}
