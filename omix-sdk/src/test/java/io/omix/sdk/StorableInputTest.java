package io.omix.sdk;

import io.omix.server.datasets.DatasetStore;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values one database stores and the other refuses, or that neither could give back as sent (an attack review): each is
 * refused where it enters, naming what is wrong, or stored and read back alike, on both databases. None is a 500.
 */
class StorableInputTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void extremeTimesAreRefusedOrReadBack(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "TIMES_APP");
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String project = new SampleStore(s.server().platform()).createProject("times", 1, null, null, null).projectId();
                // Sample times outside the years 1 to 9999: PostgreSQL stored one before 4713 BC as -infinity, which no read could place.
                for (String time : List.of("-5000-01-01T00:00:00Z", "+300000-01-01T00:00:00Z", "0000-06-01T00:00:00Z", "0001-01-01T00:00:00+08:00",
                        "9999-12-31T23:00:00-05:00")) {   // the last two: years 0 and 10000 as stored, in UTC
                    ApiException refused = assertThrows(ApiException.class, () -> p.registerSample(11, project, "X", Map.of("sample_collection_time", time)));
                    assertEquals(41001, refused.code(), time);
                    assertEquals("must be in the years 1 to 9999", refused.dataModel().getString("sample_collection_time"));
                }
                // An offset of 17 hours is ISO's and Java's, and PostgreSQL refuses one of 16 or more: stored as the instant it names.
                String id = p.registerSample(11, project, "Y", Map.of("sample_collection_time", "2024-01-01T00:00:00+17:00")).getString("biosample_id");
                assertEquals(java.time.Instant.parse("2023-12-31T07:00:00Z"),
                        new SampleStore(s.server().platform()).find(id).orElseThrow().sampleCollectionTime().toInstant());
                String entity = p.streamBind(id).getString("fundamental_entity_id");
                p.writeStream(entity, StreamsTest.HEART_RATE, "2024-03-01T08:00:00+17:00", "{\"value\":1}", false);
                p.writeStream(entity, StreamsTest.HEART_RATE, "2024-03-01T08:00:00-18:00", "{\"value\":2}", false);
                Model page = p.streamRange("TIMES_APP", StreamsTest.HEART_RATE, entity, null, "2024-02-29T00:00:00+17:30", "2024-03-03T00:00:00-17:30",
                        "asc", null, 10);
                assertEquals(2, page.getInt("count"), page.dumps());
                assertEquals("2024-03-01T08:00:00.000000+1700", page.at("result[0].stream_generate_time"));
                assertEquals("2024-03-01T08:00:00.000000-1800", page.at("result[1].stream_generate_time"));
                // A number as text is held to the digits a JSON number is.
                ApiException huge = assertThrows(ApiException.class, () -> p.registerSample(11, project, "Z", Map.of("depth", "1e999")));
                assertEquals(41001, huge.code());
                assertTrue(huge.dataModel().getString("depth").contains("30 digits"), huge.getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void importedTextNoDatabaseStoresIsRefusedByLine(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String gut = MicrobiomeTest.metagenomicsSample(w, "GUT-TEXT");
            for (String table : List.of("k__Bacteria|p__Fir\u0000micutes\t2|1239\t50.0\n", "k__Bacteria|\t2\t50.0\n", "k__Bacteria|p__Firmicutes\n",
                    "k__Bacteria|s__" + "9".repeat(70) + "\t2|" + "9".repeat(70) + "\t50.0\n")) {
                Model answer = MicrobiomeTest.importProfile(w, gut, "kind=taxon", table.getBytes(StandardCharsets.UTF_8));
                assertEquals(41001, answer.getInt("code"), answer.dumps());
                assertTrue(answer.getModel("data").getString("body").startsWith("line 1: "), answer.dumps());
            }
            String vcf = "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPATIENT\nch\u0000r1\t1000\trs1\tA\tG\t50\tPASS\t.\tGT\t0/1\n";
            HttpResponse<String> imported = VariantsTest.upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT",
                    vcf.getBytes(StandardCharsets.UTF_8));
            assertEquals(200, imported.statusCode(), imported.body());
            assertEquals(41001, Model.parse(imported.body()).getInt("code"), imported.body());
            assertTrue(Model.parse(imported.body()).getModel("data").getString("body").contains("control character"), imported.body());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aCsvCellOfHalfASurrogatePairAndLongRedirectUrisAreRefused(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "bytes");
            Path csv = Files.createTempFile("lone", ".csv");
            try (DatasetsApi d = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                // The bytes of U+D800 as UTF-8 would write it (ED A0 80): the CSV decoder lets them through.
                Files.write(csv, new byte[] {'n', '\n', 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b', '\n'});
                ApiException refused = assertThrows(ApiException.class, () -> d.datasets().upload(ws.workspaceId(), ws.projectId(), "Lone", csv));
                assertEquals(400, refused.code(), refused.getMessage());
                assertTrue(refused.getMessage().contains("surrogate"), refused.getMessage());
            } finally {
                Files.deleteIfExists(csv);
            }
            VariantsTest.World w = VariantsTest.world(s);
            String uris = String.join(",", java.util.Collections.nCopies(9, "\"https://app.example.org/" + "x".repeat(460) + "\""));
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + "/admin/clients"))
                    .header("Authorization", "Bearer " + w.operator().accessToken()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Long\",\"redirect_uris\":[" + uris + "],\"grant_types\":[\"authorization_code\"],"
                            + "\"scopes\":[\"profile\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(41001, Model.parse(created.body()).getInt("code"), created.body());
            assertTrue(Model.parse(created.body()).getModel("data").getString("redirect_uris").contains("4000"), created.body());
        }
    }

    /**
     * What the input review found accepted and then not given back: a record's time in the year 0 or 10000 once taken to
     * UTC (a page ending on it could not be turned), a sample time rounded into the year 10000, external ids no lookup
     * finds, a mean of large values written as "Infinity", a CSV with a repeated long column name (a 500), a profiler's
     * name with a line break (its archive would not restore). Each is refused where it enters, or read back.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatIsAcceptedIsFoundAndReadBack(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client a = Identity.app(s, "READBACK_APP");
            String project = new SampleStore(s.server().platform()).createProject("read back", 1, null, null, null).projectId();
            try (PrivateApi p = PrivateApi.builder(a.id(), a.secret()).endpoint(s.url()).build()) {
                String id = p.registerSample(11, project, "RB-1", Map.of("sample_collection_time", "9999-12-31T23:59:59.9999999Z")).getString("biosample_id");
                assertEquals(java.time.Instant.parse("9999-12-31T23:59:59.999999Z"),
                        new SampleStore(s.server().platform()).find(id).orElseThrow().sampleCollectionTime().toInstant(), "cut to the microsecond, not rounded up");

                String entity = p.streamBind(id).getString("fundamental_entity_id");
                // The server's default zone is +08:00: 0001-01-01 there is in the year 0 in UTC.
                for (String time : List.of("0001", "0001-01-01", "9999-12-31T23:00-08:00")) {
                    ApiException refused = assertThrows(ApiException.class, () -> p.writeStream(entity, StreamsTest.HEART_RATE, time, "{\"value\":1}", false));
                    assertEquals(41001, refused.code(), time);
                    assertTrue(refused.dataModel().getString("stream_generate_time").contains("years 1 to 9999"), refused.getMessage());
                    Model item = p.batchWriteStream(List.of(Map.of("fundamental_entity_id", entity, "data_element_id", StreamsTest.HEART_RATE,
                            "stream_generate_time", time, "stream_data", Map.of("value", 1))), false).getList("result").getModel(0);
                    assertEquals(false, item.getBoolean("is_succeed"), item.dumps());
                }
                p.writeStream(entity, StreamsTest.HEART_RATE, "0001-01-02", "{\"value\":1}", false);
                p.writeStream(entity, StreamsTest.HEART_RATE, "0001-01-03", "{\"value\":2}", false);
                Model first = p.streamRange("READBACK_APP", StreamsTest.HEART_RATE, entity, null, null, null, "asc", null, 1);
                String next = first.getString("next_page");
                assertTrue(next != null && !next.isEmpty(), first.dumps());
                Model second = p.streamRange("READBACK_APP", StreamsTest.HEART_RATE, entity, null, null, null, "asc", next, 1);
                assertTrue(second.dumps().contains("0001-01-03"), "the page after the earliest record turns: " + second.dumps());

                // External ids a lookup of comma-separated, trimmed ids would never find.
                for (String external : List.of(" RB-2", "RB-2 ", " ", "RB-2,RB-3")) {
                    ApiException refused = assertThrows(ApiException.class, () -> p.registerSample(11, project, external, Map.of()));
                    assertEquals(41001, refused.code(), "'" + external + "'");
                    assertTrue(refused.dataModel().getString("external_sample_id").contains("commas"), refused.getMessage());
                }
            }

            Identity.Client c = Identity.confidentialClient(s);
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api client = o.getCredentialsToken().api()) {
                String own = client.registerSample("RB-AGG", 11, project).getString("biosample_id");
                for (int day = 1; day <= 2; day++) {
                    client.writePhenotype(own, StreamsTest.HEART_RATE, "2024-01-0" + day + " 08:00",
                            Map.of("value_quantity", Map.of("value", new java.math.BigDecimal("1.7e308"))), false);
                }
                Model month = client.aggregateOmicsData(StreamsTest.HEART_RATE, "month", "2024-01", "2024-01-31", own, null, null);
                Model period = month.getList("periods").getModel(0);
                assertEquals(1.7e308, period.getDouble("mean"), "the mean of two values each within a double's range: " + period.dumps());
                assertTrue(!period.dumps().contains("Infinity"), period.dumps());

                String operator = Identity.operatorToken(s, "readbackop");
                HttpResponse<String> software = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + "/admin/microbiome/import?biosample_id="
                                + own + "&kind=taxon&software=MetaPhlAn%0A4")).header("Authorization", "Bearer " + operator)
                        .header("Content-Type", "text/tab-separated-values").POST(HttpRequest.BodyPublishers.ofString("#clade_name\tabundance\n")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(41001, Model.parse(software.body()).getInt("code"), software.body());
                assertTrue(Model.parse(software.body()).getModel("data").getString("software").contains("no line breaks"), software.body());
                // The command line's import, which calls the capability itself, is held to the same rule.
                IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> s.server().capability(
                        io.omix.server.microbiome.MicrobiomeCapability.class).orElseThrow().importProfile(own, "taxon", null,
                        new java.io.ByteArrayInputStream(new byte[0]), "MetaPhlAn\n4"));
                assertTrue(direct.getMessage().contains("software") && direct.getMessage().contains("no line breaks"), direct.getMessage());
            }

            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "columns");
            try (DatasetsApi d = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                String name = "c".repeat(200);
                Model made = d.datasets().upload(ws.workspaceId(), ws.projectId(), "Repeated", name + "," + name + "\n1,2\n").getModel("dataset");
                List<String> columns = made.getList("data_schema").models().stream().map(col -> col.getString("c_name")).toList();
                assertEquals(List.of(name, "c".repeat(196) + " (2)"), columns, "a repeated name counted within its 200 characters");
            }
        }
    }
}
