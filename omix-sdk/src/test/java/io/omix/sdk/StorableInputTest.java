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
}
