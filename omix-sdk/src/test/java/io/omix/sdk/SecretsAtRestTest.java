package io.omix.sdk;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.omix.sdk.internal.ApiRequest;
import io.omix.server.common.db.Jdbc;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Passwords, secrets and tokens appear neither in the database nor in the logs, in clear. */
class SecretsAtRestTest {
    static final List<String> TABLES = List.of("users", "user_sessions", "oauth_clients", "oauth_codes", "oauth_tokens",
            "private_apps", "private_nonces", "dataset_api_keys", "omix_meta", "idempotency_keys");

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void noSecretIsStoredOrLoggedInClear(String kind) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        Level before = root.getLevel();
        Logger access = (Logger) LoggerFactory.getLogger("omix.access");
        Level accessBefore = access.getLevel();
        root.setLevel(Level.INFO);
        access.setLevel(Level.INFO);
        List<String> secrets = new ArrayList<>();
        try (TestServer server = TestServer.builder().database(kind).setting("demo.enabled", "true")
                .capabilities(ProbeCapability::new).start()) {
            Identity.Person user = Identity.user(server, "dora", "dora@example.org");
            Identity.Client client = Identity.confidentialClient(server);
            Identity.Client app = Identity.app(server, "SECRET_TEST");
            Identity.Client key = Identity.datasetKey(server);
            secrets.addAll(List.of(user.password(), client.secret(), app.secret(), key.secret()));
            Model demo = Model.parse(java.nio.file.Files.readString(server.server().demoCredentials().orElseThrow()));
            secrets.add(demo.getModel("user").getString("password"));
            secrets.add(demo.getModel("oauth_client").getString("client_secret"));
            secrets.add(demo.getModel("private_app").getString("app_secret"));
            secrets.add(demo.getModel("dataset_api").getString("api_secret"));

            try (OAuth2 oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(server.url()).verbose(true).build()) {
                String state = "s";
                LoginPage browser = new LoginPage();
                HttpResponse<String> answer = browser.authorize(oauth2.getAuthorizationUrl(Identity.REDIRECT, state, null),
                        user.username(), user.password(), true);
                String code = LoginPage.redirectParams(answer).get("code");
                secrets.add(code);
                browser.browser.cookieHandler().ifPresent(h -> ((java.net.CookieManager) h).getCookieStore().getCookies()
                        .forEach(c -> secrets.add(c.getValue())));
                AccessToken token = oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT);
                AccessToken refreshed = token.refresh();
                AccessToken appToken = oauth2.getCredentialsToken();
                secrets.addAll(List.of(token.accessToken(), token.refreshToken(), refreshed.accessToken(), refreshed.refreshToken(),
                        appToken.accessToken()));
                try (Api api = Api.builder(refreshed.accessToken()).endpoint(server.url()).verbose(true).build()) {
                    api.getUser();
                    // A signed link is a bearer credential: the answer that carries it is not kept for Idempotency-Key repeats.
                    String object = api.upload("kept.txt", "a file to link to");
                    String url = api.getDownloadUrl(object, null, 604_800).getString("url");
                    secrets.add(java.net.URLDecoder.decode(url.substring(url.indexOf("Signature=") + 10).split("&")[0],
                            java.nio.charset.StandardCharsets.UTF_8));
                }
                oauth2.introspect(refreshed.accessToken());
            }
            try (PrivateApi p = PrivateApi.builder(app.id(), app.secret()).endpoint(server.url()).verbose(true).build();
                 DatasetsApi d = DatasetsApi.builder(key.id(), key.secret()).serverUrl(server.url()).verbose(true).build()) {
                p.call(ApiRequest.get("/private/test/whoami"));
                d.call(ApiRequest.get("/api/v2/test/whoami"));
            }

            Jdbc jdbc = server.server().platform().database().jdbc();
            StringBuilder stored = new StringBuilder();
            for (String table : TABLES) {
                jdbc.query("SELECT * FROM " + table, rs -> {
                    appendRow(stored, rs);
                    return null;
                });
            }
            // Answers kept for Idempotency-Key repeats are stored deflated: read as they would be served.
            List<String> kept = jdbc.query("SELECT body_deflated FROM idempotency_keys WHERE body_deflated IS NOT NULL",
                    rs -> ErasureTest.inflated(rs.getBytes(1)));
            kept.forEach(k -> stored.append(k).append('\n'));
            String everything = stored.toString();
            for (String secret : secrets) {
                assertFalse(everything.contains(secret), "stored in clear: " + secret.substring(0, 6) + "...");
            }
            List<String> passwordHashes = jdbc.query("SELECT password_hash FROM users", rs -> rs.getString(1));
            assertTrue(passwordHashes.stream().allMatch(h -> h.startsWith("$2a$11$")), "bcrypt hashes: " + passwordHashes);
        } finally {
            root.detachAppender(logs);
            root.setLevel(before);
            access.setLevel(accessBefore);
        }
        String logged = String.join("\n", logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList());
        assertTrue(logged.contains("--> POST"), "verbose SDK logs were captured");
        assertTrue(logged.contains("method=POST path=/oauth2/access_token"), "access logs were captured");
        for (String secret : secrets) {
            assertFalse(logged.contains(secret), "logged in clear: " + secret.substring(0, 6) + "...");
        }
    }

    private static void appendRow(StringBuilder out, ResultSet rs) throws java.sql.SQLException {
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) out.append(rs.getString(i)).append('|');
        out.append('\n');
    }

}
