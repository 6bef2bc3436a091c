package io.omix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code omix api METHOD} and {@code omix private METHOD} against a real server with the demo data:
 * every method of the original clients is there by its name, answers come as JSON, {@code --all}
 * walks every page, refusals name the code and the parameter.
 */
class MethodCommandsTest {
    static TestServer server;
    static JsonNode demo;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.builder().setting("demo.enabled", "true").start();
        demo = new ObjectMapper().readTree(Files.readString(server.dataDir().resolve("demo-credentials.json")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static AdminAndLoginTest.Run api(String method, String... args) {
        List<String> all = new ArrayList<>(List.of("api", method, "--endpoint", server.url(),
                "--client-id", demo.at("/oauth_client/client_id").asText(), "--client-secret", demo.at("/oauth_client/client_secret").asText()));
        all.addAll(List.of(args));
        return AdminAndLoginTest.omix(all.toArray(String[]::new));
    }

    static AdminAndLoginTest.Run partner(String method, String... args) {
        List<String> all = new ArrayList<>(List.of("private", method, "--endpoint", server.url(),
                "--app-key", demo.at("/private_app/app_key").asText(), "--app-secret", demo.at("/private_app/app_secret").asText()));
        all.addAll(List.of(args));
        return AdminAndLoginTest.omix(all.toArray(String[]::new));
    }

    @Test
    void everyMethodOfTheOriginalClientsIsACommandByItsName() {
        for (String m : List.of("alive", "get_user", "get_samples", "get_sample", "register_sample", "improve_sample", "get_variants", "professional_variant", "get_overview",
                "get_taxon_abundance", "get_func_abundance", "get_gene_abundance", "get_range_stream", "write_phenotype", "aggregate_omics_data",
                "get_data_items", "get_upload_token", "get_download_url", "upload", "download", "invoke_model", "deploy_model", "rollback_model",
                "model_versions", "task")) {
            AdminAndLoginTest.Run help = AdminAndLoginTest.omix("api", m, "--help");
            assertEquals(0, help.exit(), m + ": " + help.err());
            assertTrue(help.out().contains("omix api " + m), help.out());
        }
        for (String m : List.of("get_samples", "register_sample", "improve_sample", "stream_bind", "write_stream", "batch_write_stream",
                "stream_retrieve", "stream_range", "register_batch", "retrieve_batch", "import_batch", "commit_batch", "task", "get_data_items")) {
            assertEquals(0, AdminAndLoginTest.omix("private", m, "--help").exit(), m);
        }
        for (String group : List.of("api", "private", "batch", "dataset", "admin", "webhook")) {
            AdminAndLoginTest.Run help = AdminAndLoginTest.omix(group, "--help");
            assertEquals(0, help.exit(), group + ": " + help.err());
        }
    }

    @Test
    void openPlatformCallsPrintTheAnswerAndAllWalksEveryPage() throws Exception {
        String genomics = demo.at("/samples/genomics").asText();
        AdminAndLoginTest.Run variants = api("get_variants", "--biosample-id", genomics, "--rsids", "rs762551,rs671");
        assertEquals(0, variants.exit(), variants.err());
        JsonNode calls = variants.json();
        assertEquals(2, calls.size());
        assertEquals("rs762551", calls.get(0).at("/alternate_id/0").asText());
        assertTrue(variants.out().trim().lines().count() == 1, "compact JSON when not on a terminal");

        JsonNode region = api("professional_variant", "--biosample-id", genomics, "--regions", "chr15:1-100000000,chr12:1-200000000", "--all").json();
        assertEquals(2, region.size(), region.toString());
        assertEquals(7, api("get_overview", "--biosample-id", genomics).json().at("/variants/calls").asInt());

        JsonNode firstPage = api("get_samples", "--limit", "1").json();
        JsonNode every = api("get_samples", "--limit", "1", "--all").json();
        assertTrue(every.isArray());
        assertEquals(firstPage.get("count").asInt(), every.size(), "--all: every page, one item a page");

        String stream = demo.at("/streams/biosample_id").asText();
        String heartRate = demo.at("/streams/heart_rate").asText();
        JsonNode week = api("aggregate_omics_data", "--biosample-id", stream, "--data-element-id", heartRate, "--time-dimension", "day",
                "--start-time", "2025-06-01", "--periods", "7").json();
        assertEquals(7, week.get("periods").size());
        JsonNode records = api("get_range_stream", "--biosample-id", stream, "--data-element-id", heartRate, "--start-time", "2025-06-01",
                "--end-time", "2025-06-30 23:59:59", "--limit", "7", "--all").json();
        assertEquals(30, records.size(), "a day a record in June, over five pages");
    }

    @Test
    void filesGoUpAndComeBackThroughTheCli(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.txt");
        byte[] bytes = "a report\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        Files.write(file, bytes);
        AdminAndLoginTest.Run up = api("upload", "--file", file.toString());
        assertEquals(0, up.exit(), up.err());
        String name = up.json().get("object_name").asText();
        assertTrue(name.endsWith("/report.txt"), name);
        Path copy = dir.resolve("copy.txt");
        AdminAndLoginTest.Run down = api("download", "--object-name", name, "--out", copy.toString());
        assertEquals(0, down.exit(), down.err());
        assertArrayEquals(bytes, Files.readAllBytes(copy));
        assertTrue(api("get_download_url", "--object-name", name).json().get("url").asText().startsWith(server.url()));

        AdminAndLoginTest.Run deleted = api("delete_object", "--object-name", name);
        assertEquals(0, deleted.exit(), deleted.err());
        assertTrue(deleted.json().get("deleted").asBoolean(), deleted.out());
        AdminAndLoginTest.Run gone = api("get_download_url", "--object-name", name);
        assertTrue(gone.exit() != 0 && gone.err().contains("42007"), gone.exit() + " " + gone.err());
    }

    @Test
    void privatePlatformWritesReadsAndCommitsABatch(@TempDir Path dir) throws Exception {
        String sample = demo.at("/samples/private_app").asText();
        String heartRate = demo.at("/streams/heart_rate").asText();
        String entity = partner("stream_bind", "--biosample-id", sample).json().get("fundamental_entity_id").asText();
        JsonNode written = partner("write_stream", "--fundamental-entity-id", entity, "--data-element-id", heartRate,
                "--stream-generate-time", "2031-02-03 04:05:06", "--stream-data", "{\"value\": 72}").json();
        String streamId = written.get("stream_id").asText();
        JsonNode range = partner("stream_range", "--namespace", demo.at("/private_app/namespace").asText(), "--data-element-id", heartRate,
                "--fundamental-entity-id", entity, "--start-time", "2031-02-03", "--end-time", "2031-02-04", "--all").json();
        assertTrue(Stream.of(range).flatMap(r -> java.util.stream.StreamSupport.stream(r.spliterator(), false))
                .anyMatch(r -> r.get("stream_id").asText().equals(streamId)), range.toString());
        assertEquals(72, partner("stream_retrieve", "--stream-id", streamId).json().at("/stream_data/value").asInt());

        long batchNo = partner("register_batch", "--title", "cli").json().get("batch_no").asLong();
        Path items = dir.resolve("items.json");
        Files.writeString(items, "[{\"data_element_id\": \"00011d12-b363-11e9-bfed-00163e104c79\", \"attributes\": {\"deid_idx\": \"cli-1\"}}]");
        AdminAndLoginTest.Run imported = partner("import_batch", "--batch-no", String.valueOf(batchNo), "--data-items", "@" + items,
                "--biosample-id", sample);
        assertEquals(0, imported.exit(), imported.err());
        String task = partner("commit_batch", "--batch-no", String.valueOf(batchNo)).json().get("task_id").asText();
        String progress = "";
        for (int i = 0; i < 100 && !progress.equals("SUCCESS"); i++) {
            progress = partner("task", "--task-id", task).json().get("progress").asText();
            Thread.sleep(100);
        }
        assertEquals("SUCCESS", progress);
        JsonNode itemsBack = partner("get_data_items", "--collection-id", String.valueOf(batchNo), "--all").json();
        assertEquals(1, itemsBack.size());
        assertEquals("cli-1", itemsBack.get(0).at("/attributes/deid_idx").asText());
    }

    @Test
    void anOperatorRegistersASampleImportsTheExampleVcfAndTheClientReadsItsCalls() throws Exception {
        String clientId = demo.at("/oauth_client/client_id").asText();
        AdminAndLoginTest.Run registered = AdminAndLoginTest.omix("admin", "--data-dir", server.dataDir().toString(), "sample", "register",
                "--project-id", demo.at("/projects/genomics").asText(), "--biosample-site", "11", "--external-sample-id", "OP-1", "--client-id", clientId);
        assertEquals(0, registered.exit(), registered.err());
        String sample = registered.json().get("biosample_id").asText();
        assertTrue(sample.matches("E-B\\d{11}"), sample);
        AdminAndLoginTest.Run imported = AdminAndLoginTest.omix("admin", "--data-dir", server.dataDir().toString(), "import-vcf",
                "--biosample-id", sample, "--file", Path.of("..", "examples", "calls.vcf").toString());
        assertEquals(0, imported.exit(), imported.err());
        JsonNode calls = api("get_variants", "--biosample-id", sample, "--rsids", "rs762551").json();
        assertEquals("C/A", calls.get(0).at("/variant/genotype").asText(), "the assigned client reads the example's call");
        assertEquals("OP-1", api("get_sample", "--biosample-id", sample).json().get("external_sample_id").asText());

        AdminAndLoginTest.Run badSite = AdminAndLoginTest.omix("admin", "--data-dir", server.dataDir().toString(), "sample", "register",
                "--project-id", demo.at("/projects/genomics").asText(), "--biosample-site", "16");
        assertEquals(2, badSite.exit());
        assertTrue(badSite.err().contains("--biosample-site"), badSite.err());
        AdminAndLoginTest.Run noProject = AdminAndLoginTest.omix("admin", "--data-dir", server.dataDir().toString(), "sample", "register",
                "--project-id", "P-G00000000000", "--biosample-site", "11");
        assertTrue(noProject.exit() != 0 && noProject.err().contains("project_id"), noProject.err());
    }

    @Test
    void refusalsNameTheCodeAndTheParameter() {
        AdminAndLoginTest.Run notYours = api("get_variants", "--biosample-id", "E-B00000000000", "--rsids", "rs1");
        assertEquals(1, notYours.exit());
        assertTrue(notYours.err().contains("41303"), notYours.err());
        AdminAndLoginTest.Run badLimit = api("get_samples", "--limit", "many");
        assertEquals(2, badLimit.exit());
        assertTrue(badLimit.err().contains("--limit"), badLimit.err());
        AdminAndLoginTest.Run outOfRange = api("get_samples", "--limit", "1000");
        assertEquals(1, outOfRange.exit());
        assertTrue(outOfRange.err().contains("41001") && outOfRange.err().contains("limit"), outOfRange.err());
        AdminAndLoginTest.Run unknownModel = api("invoke_model", "--model-id", "no_such-model");
        assertTrue(unknownModel.err().contains("41202"), unknownModel.err());
        AdminAndLoginTest.Run noCredentials = AdminAndLoginTest.omix("private", "get_samples", "--endpoint", server.url(), "--app-key", "k");
        assertEquals(2, noCredentials.exit());
        assertTrue(noCredentials.err().contains("--app-secret"), noCredentials.err());
    }
}
