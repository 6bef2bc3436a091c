package io.omix.sdk;

import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input the route walk cannot reach (payloads, races, stored data): each a clean, named error
 * that changes nothing, or data that reads back as it was accepted.
 */
class HardeningTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static TestServer server;
    static String operatorToken;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        operatorToken = Identity.operatorToken(server, "hardop");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Authorization", "Bearer " + operatorToken)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sample() {
        String project = new io.omix.server.samples.SampleStore(Identity.platform(server)).createProject("hard", 1, null, null, null).projectId();
        try (Api api = Api.builder(operatorToken).endpoint(server.url()).build()) {
            return api.registerSample("HARD-" + System.nanoTime(), 11, project).getString("biosample_id");
        }
    }

    @Test
    void malformedVcfsAreNamedErrorsWithoutInternals() throws Exception {
        String sample = sample();
        String header = "##fileformat=VCFv4.2\n##INFO=<ID=AN,Number=1,Type=Integer,Description=\"n\">\n"
                + "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPATIENT\n";
        Map<String, String> records = new LinkedHashMap<>();
        records.put("REF is longer", "1\t100\trs1\t" + "A".repeat(1200) + "\tG\t.\tPASS\t.\tGT\t0/1\n");
        records.put("CHROM is longer", "c" + "h".repeat(40) + "\t100\trs1\tA\tG\t.\tPASS\t.\tGT\t0/1\n");
        records.put("does not define", "1\t100\trs1\tA\tG\t.\tPASS\t.\tGT\t0/5\n");
        records.put("malformed", "1\t100\trs1\tA\tG\t.\tPASS\tAN=abc\tGT\t0/1\n");
        for (Map.Entry<String, String> r : records.entrySet()) {
            HttpResponse<String> answer = post("/admin/variants/import?biosample_id=" + sample + "&sample_name=PATIENT", "text/plain",
                    (header + r.getValue()).getBytes(StandardCharsets.UTF_8));
            assertEquals(200, answer.statusCode(), answer.body());
            Model m = Model.parse(answer.body());
            assertEquals(41001, m.getInt("code"), r.getKey() + ": " + answer.body());
            assertTrue(m.getModel("data").getString("body").contains("record 1"), "names the record: " + answer.body());
            assertFalse(RouteFuzzTest.INTERNALS.matcher(answer.body()).find(), answer.body());
            assertFalse(answer.body().contains("For input string"), answer.body());
        }
        // A QUAL that is not a number: said so, with its line, not in the JDK's words.
        HttpResponse<String> qual = post("/admin/variants/import?biosample_id=" + sample + "&sample_name=PATIENT", "text/plain",
                (header + "1\t100\trs1\tA\tG\tabc\tPASS\t.\tGT\t0/1\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("malformed VCF: \"abc\" is not a number (line number 5)", Model.parse(qual.body()).getModel("data").getString("body"), qual.body());
        // Header lines the parser refuses: said in the platform's words, not the JDK's or the parser's field dump.
        for (String number : new String[] {"abc", "0"}) {
            HttpResponse<String> answer = post("/admin/variants/import?biosample_id=" + sample + "&sample_name=PATIENT", "text/plain",
                    header.replace("Number=1,Type=Integer", "Number=" + number + ",Type=Integer").getBytes(StandardCharsets.UTF_8));
            Model m = Model.parse(answer.body());
            assertEquals(41001, m.getInt("code"), answer.body());
            assertTrue(m.getModel("data").getString("body").startsWith("not a VCF: "), answer.body());
            assertFalse(answer.body().contains("For input string") || answer.body().contains("lineType=") || answer.body().contains("key="), answer.body());
            assertFalse(RouteFuzzTest.INTERNALS.matcher(answer.body()).find(), answer.body());
        }
    }

    @Test
    void concurrentCreationsOfOneUserNameGiveOneUserAndCleanRefusals() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> Model.parse(post("/admin/users", "application/json",
                        "{\"username\":\"twin\",\"password\":\"twin-password-S3cret\"}".getBytes(StandardCharsets.UTF_8)).body()).getInt("code"));
            }
            int created = 0;
            int refused = 0;
            for (Future<Integer> f : pool.invokeAll(calls)) {
                if (f.get() == 0) created++;
                if (f.get() == 41001) refused++;
            }
            assertEquals(1, created);
            assertEquals(7, refused);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAuthorizationRequestForAClientWithNoScopeIsRefusedNotAFailure() throws Exception {
        ClientStore.Created bare = new ClientStore(Identity.platform(server)).create("Bare", List.of(Identity.REDIRECT),
                Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of(), false, null);
        try (OAuth2 o = OAuth2.builder(bare.client().clientId(), bare.secret()).endpoint(server.url()).build()) {
            HttpResponse<String> answer = new LoginPage().get(o.getAuthorizationUrl(Identity.REDIRECT, "s", null));
            assertEquals(302, answer.statusCode());
            assertEquals("invalid_scope", LoginPage.redirectParams(answer).get("error"));
        }
    }

    @Test
    void aCsvHeaderNameOverTwoHundredCharactersIsAFourHundred() throws Exception {
        Identity.Client key = Identity.datasetKey(server);
        io.omix.server.datasets.DatasetStore.Workspace ws = new io.omix.server.datasets.DatasetStore(Identity.platform(server))
                .createWorkspace(key.id(), "hard");
        long workspace = ws.workspaceId();
        long project = ws.projectId();
        byte[] csv = ("name," + "c".repeat(250) + "\nkiwi,1\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v2/workspaces/" + workspace + "/projects/"
                        + project + "/datasets/upload?name=long")).header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret())
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofByteArray(csv)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("longer than 200"), answer.body());
        HttpResponse<String> broken = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v2/workspaces/" + workspace + "/projects/"
                        + project + "/datasets/upload?name=broken")).header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret())
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofByteArray("a,b\n\"x,1\n".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, broken.statusCode(), broken.body());
        assertFalse(RouteFuzzTest.INTERNALS.matcher(broken.body()).find(), broken.body());
        assertFalse(broken.body().contains("$"), broken.body());
    }

    static HttpResponse<String> uploadCsv(TestServer s, Identity.Client key, long workspace, long project, String name, byte[] csv) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/workspaces/" + workspace + "/projects/" + project
                        + "/datasets/upload?name=" + name)).header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret())
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofByteArray(csv)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCsvRowIsRefusedAtItsFirstCellBeyondTheHeaderAndACellAtItsLimit() throws Exception {
        Identity.Client key = Identity.datasetKey(server);
        var ws = new io.omix.server.datasets.DatasetStore(Identity.platform(server)).createWorkspace(key.id(), "wide");
        // A row of 200,000 cells under a header of two: refused as the third cell is read, not after taking the row into memory.
        HttpResponse<String> wide = uploadCsv(server, key, ws.workspaceId(), ws.projectId(), "wide", ("a,b\n" + "x,".repeat(200_000) + "\n").getBytes());
        assertEquals(400, wide.statusCode(), wide.body());
        assertTrue(wide.body().contains("line 2 has more values than the header's 2"), wide.body());
        HttpResponse<String> header = uploadCsv(server, key, ws.workspaceId(), ws.projectId(), "header", ("h,".repeat(100_000) + "h\n").getBytes());
        assertEquals(400, header.statusCode(), header.body());
        assertTrue(header.body().contains("1 to 500 columns"), header.body());
        HttpResponse<String> cell = uploadCsv(server, key, ws.workspaceId(), ws.projectId(), "cell", ("a,b\n1," + "y".repeat(70_000) + "\n").getBytes());
        assertEquals(400, cell.statusCode(), cell.body());
        assertTrue(cell.body().contains("line 2: a value is longer than 65536"), cell.body());
        assertFalse(RouteFuzzTest.INTERNALS.matcher(cell.body()).find(), cell.body());
        assertFalse(cell.body().contains("Constraints"), "no parser's words: " + cell.body());
        // A name of 200 characters, the most a dataset's name may have, names its first batch too.
        String longest = "n".repeat(200);
        HttpResponse<String> named = uploadCsv(server, key, ws.workspaceId(), ws.projectId(), longest, "a,b\n1,2\n".getBytes());
        assertEquals(201, named.statusCode(), named.body());
        assertEquals(longest, Model.parse(named.body()).at("dataset.name"), named.body());
    }

    @Test
    void partnersSendingSlowlyHoldNoDatabaseConnection() throws Exception {
        // Four uploads that send their header row and then nothing, on a server of four connections: others still get answers.
        try (TestServer s = TestServer.builder().setting("db.pool-size", "4").start()) {
            Identity.Client key = Identity.datasetKey(s);
            var ws = new io.omix.server.datasets.DatasetStore(Identity.platform(s)).createWorkspace(key.id(), "slow");
            List<java.net.Socket> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(s.url()).getPort());
                    String head = "POST /api/v2/workspaces/" + ws.workspaceId() + "/projects/" + ws.projectId() + "/datasets/upload?name=slow" + i
                            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: " + key.id() + "\r\nX-API-SECRET: " + key.secret()
                            + "\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\na,b\n1,2\n";
                    socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().flush();
                    slow.add(socket);
                }
                Thread.sleep(500);
                HttpResponse<String> quick = uploadCsv(s, key, ws.workspaceId(), ws.projectId(), "quick", "a,b\n1,2\n".getBytes());
                assertEquals(201, quick.statusCode(), quick.body());
            } finally {
                for (java.net.Socket socket : slow) socket.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRefusedReuploadOfAHeldPartChangesNothing(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client client = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "parts", "parts@example.org");
            String token = Identity.userToken(s, client, person.userId(), "files").accessToken();
            try (Api api = Api.builder(token).endpoint(s.url()).build()) {
                Model credentials = api.getUploadToken();
                byte[] part1 = FilesTest.randomBytes(2048, 1);
                byte[] part2 = FilesTest.randomBytes(1000, 2);
                byte[] whole = new byte[part1.length + part2.length];
                System.arraycopy(part1, 0, whole, 0, part1.length);
                System.arraycopy(part2, 0, whole, part1.length, part2.length);
                String name = credentials.getString("destination") + "/two-parts.bin";
                Model upload = Model.parse(FilesTest.signedJson(credentials, "POST", "/uploads", "{\"object_name\":\"" + name + "\",\"size\":"
                        + whole.length + ",\"part_size\":2048,\"sha256\":\"" + FilesTest.sha256(whole) + "\"}").body()).getModel("data");
                String parts = "/uploads/" + upload.getString("upload_id") + "/parts/";
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signed(credentials, "PUT", parts + "1", part1, FilesTest.sha256(part1), "application/octet-stream")));
                byte[] wrong = FilesTest.randomBytes(2048, 9);
                assertEquals(42003, FilesTest.envelopeCode(FilesTest.signed(credentials, "PUT", parts + "1", wrong, FilesTest.sha256(part1),
                        "application/octet-stream")), "the resent part fails its checksum");
                assertEquals(0, FilesTest.envelopeCode(FilesTest.signed(credentials, "PUT", parts + "2", part2, FilesTest.sha256(part2), "application/octet-stream")));
                HttpResponse<String> done = FilesTest.signedJson(credentials, "POST", "/uploads/" + upload.getString("upload_id") + "/complete", "{}");
                assertEquals(0, FilesTest.envelopeCode(done), "the held part was untouched: " + done.body());
                assertArrayEquals(whole, FilesTest.download(api, name));
            }
        }
    }

    @Test
    void aSuffixRangeOfAnEmptyObjectIs416() throws Exception {
        try (Api api = Api.builder(operatorToken).endpoint(server.url()).build()) {
            String name = api.upload("empty.txt", new byte[0]);
            String url = api.getDownloadUrl(name).getString("url");
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=-10").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(416, r.statusCode());
            assertFalse(r.headers().firstValue("Content-Range").orElse("").contains("--1"));
        }
    }

    @Test
    void streamPayloadsNestedBeyondTheLimitAreRefusedAndThoseAcceptedReadBack() throws Exception {
        Identity.Client app = Identity.app(server, "HARD_APP");
        try (PrivateApi partner = PrivateApi.builder(app.id(), app.secret()).endpoint(server.url()).build()) {
            String project = new io.omix.server.samples.SampleStore(Identity.platform(server)).createProject("hardp", 1, null, null, null).projectId();
            String sample = partner.registerSample(11, project, "P-HARD-1", Map.of()).getString("biosample_id");
            String entity = partner.streamBind(sample).getString("fundamental_entity_id");
            String element = "8d0c5b3e-6f44-4d5c-9f1e-6a1a9c3d2b01";
            Map<String, Object> ok = nested(40);
            Model written = partner.writeStream(entity, element, "2025-01-01T00:00:00Z", ok, false);
            assertTrue(written.toString().contains("stream_id"), written.toString());
            Model range = partner.streamRange("HARD_APP", element, entity, null, "2024", "2026", null, null, null);
            assertTrue(range.toString().contains("\"d\""), "the accepted payload reads back");
            ApiException deep = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                    () -> partner.writeStream(entity, element, "2025-01-02T00:00:00Z", nested(200), false));
            assertEquals(41001, deep.code(), deep.getMessage());
        }
    }

    static Map<String, Object> nested(int depth) {
        Map<String, Object> m = new HashMap<>(Map.of("d", 1));
        for (int i = 0; i < depth; i++) m = new HashMap<>(Map.of("d", m));
        return m;
    }
}
