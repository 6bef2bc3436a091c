package io.omix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.sdk.Api;
import io.omix.sdk.ApiException;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.ProbeCapability;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code omix admin} on the database of a running server, then {@code omix token} and {@code omix login} against it. */
class AdminAndLoginTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(ProbeCapability::new);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Run omix(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Omix.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run admin(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "admin";
        all[1] = "--data-dir";
        all[2] = server.dataDir().toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return omix(all);
    }

    static Run withStdin(String input, java.util.function.Supplier<Run> run) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(before);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * An admin command upgrades a new database, never an older one (servers of the older version may share it): it is
     * refused, naming {@code omix admin migrate}, which upgrades it on purpose.
     */
    @Test
    void adminCommandsUpgradeOnlyANewDatabaseAndMigrateUpgradesAnOlderOne(@TempDir Path dir) throws Exception {
        String dataDir = dir.resolve("data").toString();
        assertEquals(0, omix("admin", "--data-dir", dataDir, "user", "list").exit(), "a new database is made");
        String newest;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.omix.server.common.db.Database.embeddedUrl(Path.of(dataDir)));
             java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
                rs.next();
                newest = rs.getString(1);
            }
            // As if the database were a version older (the newest migration must stay one that can run twice, as V55's ADD COLUMN IF NOT EXISTS can).
            st.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '" + newest + "'");
        }
        Run refused = omix("admin", "--data-dir", dataDir, "user", "list");
        assertTrue(refused.exit() != 0);
        assertTrue(refused.err().contains("and this omix's at " + newest) && refused.err().contains("omix admin migrate"), refused.err());
        Run migrated = omix("admin", "--data-dir", dataDir, "migrate");
        assertEquals(0, migrated.exit(), migrated.err());
        assertEquals(newest, migrated.json().path("schema_version").asText());
        assertEquals(0, omix("admin", "--data-dir", dataDir, "user", "list").exit());
    }

    @Test
    void adminCreatesWhatWorksAtOnceAndNeverListsSecrets() throws Exception {
        Run user = withStdin("eve-password-1\n", () -> admin("user", "create", "--username", "eve", "--password-stdin", "--email", "eve@example.org"));
        assertEquals(0, user.exit(), user.err());
        assertEquals("eve", user.json().get("username").textValue());
        Run dup = withStdin("eve-password-1\n", () -> admin("user", "create", "--username", "eve", "--password-stdin"));
        assertEquals(2, dup.exit());
        assertTrue(dup.err().contains("taken"), dup.err());
        Run weak = withStdin("short\n", () -> admin("user", "create", "--username", "weak", "--password-stdin"));
        assertEquals(2, weak.exit());
        assertTrue(weak.err().contains("at least 8"), weak.err());

        Run client = admin("client", "create", "--name", "CLI test", "--grant", "client_credentials", "--scope", "samples");
        assertEquals(0, client.exit(), client.err());
        String id = client.json().get("client_id").textValue();
        String secret = client.json().get("client_secret").textValue();
        Run list = admin("client", "list");
        assertTrue(list.out().contains(id));
        assertFalse(list.out().contains(secret), "secrets are shown once, at creation");

        Run token = omix("token", "--endpoint", server.url(), "--client-id", id, "--client-secret", secret);
        assertEquals(0, token.exit(), token.err());
        String accessToken = token.json().get("access_token").textValue();
        assertEquals("samples", token.json().get("scope").textValue());

        assertEquals(0, admin("client", "disable", id).exit());
        Run refused = omix("token", "--endpoint", server.url(), "--client-id", id, "--client-secret", secret);
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("400"), refused.err());
        try (Api api = Api.builder(accessToken).endpoint(server.url()).build()) {
            ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, api::getUser);
            assertEquals(403, e.code(), "a disabled client's tokens stop working at once");
        }
        assertEquals(2, admin("client", "disable", "omxnosuch").exit());
    }

    @Test
    void appsAndApiKeysAreCreatedListedAndDisabled() throws Exception {
        Run app = admin("app", "create", "--name", "Lab Partner");
        assertEquals(0, app.exit(), app.err());
        assertEquals("LAB_PARTNER", app.json().get("namespace").textValue());
        String appKey = app.json().get("app_key").textValue();
        Run apps = admin("app", "list");
        assertTrue(apps.out().contains(appKey));
        assertFalse(apps.out().contains(app.json().get("app_secret").textValue()));
        assertEquals(0, admin("app", "disable", appKey).exit());
        assertTrue(admin("app", "list").out().contains("\"disabled\" : true"));

        Run key = admin("apikey", "create", "--name", "Analytics");
        assertEquals(0, key.exit(), key.err());
        HttpResponse<String> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v2/test/whoami"))
                .header("X-API-KEY", key.json().get("api_key").textValue())
                .header("X-API-SECRET", key.json().get("api_secret").textValue()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertFalse(admin("apikey", "list").out().contains(key.json().get("api_secret").textValue()));
        assertTrue(key.json().get("workspace_id").asLong() > 0, "a key comes with a workspace");
        assertTrue(key.json().get("project_id").asLong() > 0, "and a project");
        assertTrue(admin("apikey", "list").out().contains("\"workspace_id\" : " + key.json().get("workspace_id").asLong()));

        // A leaked secret is replaced, the key (its workspace, its datasets) kept: the old secret stops at once, the new one works.
        Run rotated = admin("apikey", "rotate-secret", key.json().get("api_key").textValue());
        assertEquals(0, rotated.exit(), rotated.err());
        String fresh = rotated.json().get("api_secret").textValue();
        assertTrue(fresh.startsWith("das_") && !fresh.equals(key.json().get("api_secret").textValue()));
        for (String[] secret : new String[][] {{key.json().get("api_secret").textValue(), "401"}, {fresh, "200"}}) {
            HttpResponse<String> whoami = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v2/test/whoami"))
                    .header("X-API-KEY", key.json().get("api_key").textValue()).header("X-API-SECRET", secret[0]).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(Integer.parseInt(secret[1]), whoami.statusCode(), whoami.body());
        }
        Run appRotated = admin("app", "rotate-secret", appKey);
        assertEquals(0, appRotated.exit(), appRotated.err());
        assertTrue(appRotated.json().get("app_secret").textValue().startsWith("pas_"));
        assertTrue(!appRotated.json().get("app_secret").textValue().equals(app.json().get("app_secret").textValue()));
        assertEquals(2, admin("apikey", "rotate-secret", "nosuchkey").exit());
        Run unassigned = admin("sample", "unassign", "--biosample-id", "E-A00000000001", "--client-id", "omxnosuch");
        assertEquals(2, unassigned.exit());
        assertTrue(unassigned.err().contains("does not have"), unassigned.err());
    }

    @Test
    void anOperatorPublishesAProjectToTheBeaconAndOnlyAtTheLevelsThereAre() throws Exception {
        String project = admin("project", "create", "--name", "Beacon cohort", "--omic", "1").json().get("project_id").textValue();
        Run published = admin("project", "beacon", project, "--publish", "count");
        assertEquals(0, published.exit(), published.err());
        assertEquals("count", server.server().platform().database().jdbc()
                .queryOne("SELECT beacon_public FROM projects WHERE project_id = ?", rs -> rs.getString(1), project).orElseThrow());
        Run wrong = admin("project", "beacon", project, "--publish", "record");
        assertTrue(wrong.exit() != 0 && wrong.err().contains("none, boolean, count"), wrong.err());
        Run missing = admin("project", "beacon", "P-NOPE", "--publish", "none");
        assertTrue(missing.exit() != 0 && missing.err().contains("no project P-NOPE"), missing.err());
    }

    @Test
    void batchCommandsImportAFileCommitAndReadTheItems(@TempDir Path dir) throws Exception {
        Run app = admin("app", "create", "--name", "Batch Maker");
        String appKey = app.json().get("app_key").textValue();
        String secret = app.json().get("app_secret").textValue();
        String project = admin("project", "create", "--name", "Batches", "--omic", "1").json().get("project_id").textValue();
        String sample = new io.omix.server.samples.SampleStore(server.server().platform()).register(
                io.omix.server.common.auth.Caller.privateApp(appKey, "BATCH_MAKER"),
                new io.omix.server.samples.SampleStore.Registration("BM-1", 10, project, false, 1, null, java.util.Map.of())).toString();
        Path items = dir.resolve("items.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            lines.append("{\"data_element_id\": \"00011d12-b363-11e9-bfed-00163e104c79\", \"attributes\": {\"i\": ").append(i).append("}}\n");
        }
        Files.writeString(items, lines);
        String[] auth = {"--endpoint", server.url(), "--app-key", appKey, "--app-secret", secret};
        Run registered = omix(concat(new String[] {"batch", "register", "--title", "cli batch"}, auth));
        assertEquals(0, registered.exit(), registered.err());
        String batchNo = String.valueOf(registered.json().get("batch_no").asLong());
        Run imported = omix(concat(new String[] {"batch", "import", batchNo, items.toString(), "--biosample-id", sample}, auth));
        assertEquals(0, imported.exit(), imported.err());
        assertEquals(250, imported.json().get("imported").intValue());
        assertTrue(imported.err().contains("import ["), "a progress bar on stderr");
        Run committed = omix(concat(new String[] {"batch", "commit", batchNo, "--wait"}, auth));
        assertEquals(0, committed.exit(), committed.err());
        assertEquals("SUCCESS", committed.json().get("progress").textValue());
        Run read = omix(concat(new String[] {"batch", "items", "--batch-no", batchNo}, auth));
        assertEquals(0, read.exit(), read.err());
        assertEquals(250, read.out().split("\n(?=\\{)").length, "one JSON document per item");
        Run again = omix(concat(new String[] {"batch", "commit", batchNo}, auth));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("41001"), again.err());
    }

    @Test
    void datasetCommandsUploadAppendSuspendAndRead(@TempDir Path dir) throws Exception {
        JsonNode key = admin("apikey", "create", "--name", "CLI datasets").json();
        String[] auth = {"--endpoint", server.url(), "--api-key", key.get("api_key").textValue(), "--api-secret", key.get("api_secret").textValue(),
                "--workspace", key.get("workspace_id").asText(), "--project", key.get("project_id").asText()};
        Path first = dir.resolve("first.csv");
        Files.writeString(first, "Sample,Reads\nS1,1200\nS2,800\n");
        Path second = dir.resolve("second.csv");
        Files.writeString(second, "id,count\nS3,50\n");
        Run made = omix(concat(new String[] {"dataset", "upload", "Runs", first.toString()}, auth));
        assertEquals(0, made.exit(), made.err());
        String dataset = made.json().at("/dataset/id").asText();
        String source = omix(concat(new String[] {"dataset", "upload", "More runs", second.toString()}, auth)).json().at("/dataset/id").asText();

        Run appended = omix(concat(new String[] {"dataset", "append", dataset, "--source", source, "--map", "id=sample:text",
                "--map", "count=reads:numeric", "--wait"}, auth));
        assertEquals(0, appended.exit(), appended.err());
        assertEquals("success", appended.json().get("status").textValue(), appended.out());
        Run data = omix(concat(new String[] {"dataset", "data", dataset, "--columns", "sample"}, auth));
        assertEquals("{\"sample\":\"S1\"}\n{\"sample\":\"S2\"}\n{\"sample\":\"S3\"}\n", data.out().replace("\r", ""));

        String firstBatch = omix(concat(new String[] {"dataset", "get", dataset, "--fields", "batch_ids"}, auth)).json().at("/dataset/batch_ids/0").asText();
        Run suspended = omix(concat(new String[] {"dataset", "suspend", dataset, firstBatch, "--wait"}, auth));
        assertEquals(0, suspended.exit(), suspended.err());
        assertEquals("{\"sample\":\"S3\"}\n", omix(concat(new String[] {"dataset", "data", dataset, "--columns", "sample"}, auth)).out());
        Run batches = omix(concat(new String[] {"dataset", "batches", dataset, "--status", "suspended", "--fields", "id,state"}, auth));
        assertTrue(batches.out().contains("\"state\" : \"suspended\""), batches.out());

        Run badMap = omix(concat(new String[] {"dataset", "append", dataset, "--source", source, "--map", "id=sample"}, auth));
        assertEquals(2, badMap.exit(), "a usage error");
        assertTrue(badMap.err().contains("SOURCE=DESTINATION:TYPE"), badMap.err());
        Run misfit = omix(concat(new String[] {"dataset", "append", dataset, "--source", source, "--map", "id=reads:numeric"}, auth));
        assertEquals(1, misfit.exit());
        assertTrue(misfit.err().contains("400") && misfit.err().contains("S3"), misfit.err());
    }

    @Test
    void uploadAndDownloadCommandsMoveFilesWithProgressBars(@TempDir Path dir) throws Exception {
        JsonNode client = admin("client", "create", "--name", "CLI files", "--grant", "client_credentials", "--scope", "files").json();
        Run token = omix("token", "--endpoint", server.url(), "--client-id", client.get("client_id").textValue(),
                "--client-secret", client.get("client_secret").textValue(), "--scope", "files");
        assertEquals(0, token.exit(), token.err());
        String accessToken = token.json().get("access_token").textValue();
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(5).nextBytes(content);
        Path file = dir.resolve("reads.bin");
        Files.write(file, content);
        Path states = dir.resolve("states");
        Run up = omix("upload", "--endpoint", server.url(), "--token", accessToken, "--multipart-threshold-mib", "1", "--part-size-mib", "1",
                "--state-dir", states.toString(), file.toString());
        assertEquals(0, up.exit(), up.err());
        assertTrue(up.err().contains("reads.bin ["), "a progress bar: " + up.err());
        String name = up.json().get("object_name").textValue();
        assertTrue(name.endsWith("/reads.bin"), name);
        Path back = dir.resolve("back.bin");
        Run down = omix("download", "--endpoint", server.url(), "--token", accessToken, name, "-o", back.toString());
        assertEquals(0, down.exit(), down.err());
        assertEquals(content.length, down.json().get("bytes").asLong());
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(back)));
        try (var left = Files.list(states)) {
            assertEquals(0, left.count(), "a finished upload leaves no state behind");
        }

        // An upload cut off half-way (as by a killed process) is continued by the next run.
        Path other = dir.resolve("other.bin");
        Files.write(other, java.util.Arrays.copyOf(content, 2 * 1024 * 1024 + 5));
        try (Api api = Api.builder(accessToken).endpoint(server.url()).maxRetries(0).build()) {
            io.omix.sdk.Model credentials = api.getUploadToken();
            Files.createDirectories(states);
            Files.writeString(FileCommands.statePath(states, other), credentials.dumps());
            try {
                api.upload("other.bin", other, io.omix.sdk.UploadOptions.builder().credentials(credentials).multipartThreshold(1024 * 1024)
                        .partSize(1024 * 1024).threads(1).listener((d, t) -> {
                            if (d > t / 2) throw new java.io.UncheckedIOException(new java.io.IOException("killed"));
                        }).build());
            } catch (RuntimeException expected) {
                // cut off
            }
            Run resumed = omix("upload", "--endpoint", server.url(), "--token", accessToken, "--multipart-threshold-mib", "1",
                    "--part-size-mib", "1", "--state-dir", states.toString(), other.toString());
            assertEquals(0, resumed.exit(), resumed.err());
            assertTrue(resumed.err().contains("resuming the upload"), resumed.err());
            assertTrue(resumed.json().get("object_name").textValue().startsWith(credentials.getString("destination") + "/"));
            assertFalse(Files.exists(FileCommands.statePath(states, other)));
        }

        Run missing = omix("download", "--endpoint", server.url(), "--token", accessToken, name + "-nope", "-o", dir.resolve("x").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("42007"), missing.err());
    }

    @Test
    void modelCommandsScaffoldRunDeployPublishAndInvoke(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("caffeine");
        Run init = omix("model", "init", model.toString());
        assertEquals(0, init.exit(), init.err());
        assertTrue(Files.exists(model.resolve("index.py")) && Files.exists(model.resolve("model.json")));
        Run local = omix("model", "run", model.toString());
        assertEquals(0, local.exit(), local.err());
        assertEquals(41001, local.json().get("model_code").asInt(), "the example asks for a biosample_id: " + local.out());

        JsonNode client = admin("client", "create", "--name", "CLI models", "--grant", "client_credentials", "--scope", "files",
                "--scope", "models", "--scope", "variants").json();
        String token = omix("token", "--endpoint", server.url(), "--client-id", client.get("client_id").textValue(),
                "--client-secret", client.get("client_secret").textValue(), "--scope", "files models variants").json().get("access_token").textValue();
        String[] auth = {"--endpoint", server.url(), "--token", token};
        Run deployed = omix(concat(new String[] {"model", "deploy", model.toString(), "--model-id", "Caffeine1", "--wait"}, auth));
        assertEquals(0, deployed.exit(), deployed.err());
        assertEquals(1, deployed.json().get("version").asInt());
        assertEquals(0, omix(concat(new String[] {"model", "publish", "--model-id", "Caffeine1", "-m", "first"}, auth)).exit());
        Run invoked = omix(concat(new String[] {"model", "invoke", "--model-id", "Caffeine1"}, auth));
        assertEquals(0, invoked.exit(), invoked.err());
        assertEquals(41001, invoked.json().get("model_code").asInt(), invoked.out());
        Run notYours = omix(concat(new String[] {"model", "invoke", "--model-id", "Caffeine1", "--param", "biosample_id=E-B00000000001"}, auth));
        assertEquals(0, notYours.exit(), notYours.err());
        assertEquals(41303, notYours.json().get("model_code").asInt(), "the model reads the API with the caller's rights: " + notYours.out());
        Run versions = omix(concat(new String[] {"model", "versions", "--model-id", "Caffeine1"}, auth));
        assertTrue(versions.out().contains("\"stable\" : true"), versions.out());
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void importCommandsLoadVariantsAndProfilesIntoASample(@TempDir Path dir) throws Exception {
        Run project = admin("project", "create", "--name", "Imports", "--omic", "2");
        assertEquals(0, project.exit(), project.err());
        String sample = new io.omix.server.samples.SampleStore(server.server().platform()).register(
                io.omix.server.common.auth.Caller.privateApp("pakimport", "IMPORTS"),
                new io.omix.server.samples.SampleStore.Registration("IMP-1", 10, project.json().get("project_id").textValue(), false, 1, null,
                        java.util.Map.of())).toString();
        Path vcf = dir.resolve("calls.vcf");
        Path taxa = dir.resolve("taxa.tsv");
        try (InputStream a = AdminAndLoginTest.class.getResourceAsStream("/vcf/fixture.vcf");
             InputStream b = AdminAndLoginTest.class.getResourceAsStream("/microbiome/taxa.tsv")) {
            Files.copy(a, vcf);
            Files.copy(b, taxa);
        }
        Run variants = admin("import-vcf", "--biosample-id", sample, "--file", vcf.toString(), "--sample-name", "PATIENT");
        assertEquals(0, variants.exit(), variants.err());
        assertEquals(7, variants.json().get("imported").intValue());
        assertTrue(variants.err().contains("import ["), "a progress bar on stderr");
        Run profile = admin("import-microbiome", "--biosample-id", sample, "--kind", "taxon", "--file", taxa.toString());
        assertEquals(0, profile.exit(), profile.err());
        assertEquals(14, profile.json().get("rows").intValue());
        assertEquals(2, admin("import-vcf", "--biosample-id", "E-F00000000000", "--file", vcf.toString()).exit());
        assertEquals(2, admin("import-microbiome", "--biosample-id", sample, "--kind", "taxon", "--file", dir.resolve("nope").toString()).exit());
    }

    @Test
    void operatorsAddDataElementsThatWritesAcceptAtOnce() throws Exception {
        Run created = admin("data-element", "create", "--name", "glucose", "--description", "血糖", "--source-domain", "LOINC", "--source-id", "2345-7");
        assertEquals(0, created.exit(), created.err());
        String id = created.json().get("id").textValue();
        assertTrue(id.matches("[0-9a-f-]{36}"));
        assertTrue(admin("data-element", "list").out().contains("\"glucose\""));
        io.omix.server.streams.StreamStore store = new io.omix.server.streams.StreamStore(server.server().platform());
        assertEquals("血糖", store.element(id).orElseThrow().description(), "the running server sees it");
        assertEquals(2, admin("data-element", "create", "--name", " ").exit());
    }

    @Test
    void loginSignsAPersonInThroughTheLocalRedirectListener(@TempDir Path home) throws Exception {
        int port = freePort();
        withStdin("frank-password-1\n", () -> admin("user", "create", "--username", "frank", "--password-stdin"));
        Run client = admin("client", "create", "--name", "CLI login", "--public", "--redirect-uri", "http://127.0.0.1:" + port + "/callback");
        String id = client.json().get("client_id").textValue();
        Path tokenFile = home.resolve("token.json");

        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> login = CompletableFuture.supplyAsync(() -> {
            CommandLine cli = Omix.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            return cli.execute("login", "--endpoint", server.url(), "--client-id", id, "--port", String.valueOf(port),
                    "--scope", "profile", "--token-file", tokenFile.toString(), "--timeout", "30");
        });
        Matcher url = Pattern.compile("(http://\\S+/oauth2/authorize\\S+)").matcher("");
        for (int i = 0; i < 200 && !url.reset(err.toString()).find(); i++) Thread.sleep(25);
        assertTrue(url.reset(err.toString()).find(), err.toString());
        assertTrue(url.group(1).contains("code_challenge_method=S256"), "the CLI uses PKCE");

        HttpResponse<String> redirect = new LoginPage().authorize(url.group(1), "frank", "frank-password-1", true);
        assertEquals(302, redirect.statusCode(), redirect.body());
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("http://127.0.0.1:" + port + "/callback?code="));
        HttpResponse<String> landed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, landed.statusCode());

        assertEquals(0, login.get(30, TimeUnit.SECONDS), err.toString());
        JsonNode printed = JSON.readTree(out.toString());
        assertTrue(printed.get("access_token").textValue().startsWith("oat_"));
        assertTrue(printed.has("refresh_token"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        String saved = JSON.readTree(tokenFile.toFile()).get("access_token").textValue();
        try (Api api = Api.builder(saved).endpoint(server.url()).build()) {
            assertEquals("frank", api.getUser().getString("username"));
        }
    }

    @Test
    void loginRefusesAnAnswerThatIsNotForIt() throws Exception {
        int port = freePort();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> login = CompletableFuture.supplyAsync(() -> {
            CommandLine cli = Omix.commandLine();
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            return cli.execute("login", "--endpoint", server.url(), "--client-id", "omxwhatever", "--port", String.valueOf(port), "--timeout", "30");
        });
        for (int i = 0; i < 200 && !err.toString().contains("Waiting"); i++) Thread.sleep(25);
        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/callback?code=stolen&state=not-ours")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, forged.statusCode());
        assertEquals(1, login.get(30, TimeUnit.SECONDS));
        assertTrue(err.toString().contains("state mismatch"), err.toString());
    }
}
