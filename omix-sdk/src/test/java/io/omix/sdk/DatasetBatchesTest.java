package io.omix.sdk;

import io.omix.server.datasets.DatasetStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dataset batches API through the SDK's {@code batches()}, {@code datasets()} and {@code jobs()}. */
class DatasetBatchesTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    static TestServer server;
    static DatasetsApi api;
    static long w;
    static Identity.Client key;
    static long p;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        key = Identity.datasetKey(server);
        DatasetStore.Workspace ws = new DatasetStore(server.server().platform()).createWorkspace(key.id(), "tests");
        w = ws.workspaceId();
        p = ws.projectId();
        api = DatasetsApi.builder(key.id(), key.secret()).serverUrl(server.url()).build();
    }

    @AfterAll
    static void stop() {
        api.close();
        server.close();
    }

    static DatasetSpec fruit(String name, Object[]... rows) {
        DatasetSpec.Builder b = DatasetSpec.named(name).column("fruit", "Fruit", ColumnType.TEXT)
                .column("price", "Price", ColumnType.NUMERIC).column("picked", "Picked", ColumnType.DATE);
        for (Object[] row : rows) b.row(row);
        return b.build();
    }

    static long create(DatasetsApi client, long workspace, long project, DatasetSpec spec) {
        return client.datasets().create(workspace, project, spec).getModel("dataset").getLong("id");
    }

    static List<Object> column(DatasetsApi client, long workspace, long project, long dataset, String column) {
        List<Object> values = new ArrayList<>();
        for (Model row : client.datasets().rows(workspace, project, dataset, List.of(column))) values.add(row.get(column));
        return values;
    }

    static ApiException refused(int status, Runnable call) {
        ApiException e = assertThrows(ApiException.class, call::run);
        assertEquals(status, e.code(), e.getMessage());
        assertEquals(status, e.httpStatus());
        return e;
    }

    /** Appending, suspending, restoring, deleting: the rows and the counts follow, on each database. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void batchesComeAndGoWithTheirRows(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client key = Identity.datasetKey(s);
            Identity.Client otherKey = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "lifecycle");
            long w = ws.workspaceId();
            long p = ws.projectId();
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build();
                 DatasetsApi other = DatasetsApi.builder(otherKey.id(), otherKey.secret()).serverUrl(s.url()).build()) {
                long ds = create(a, w, p, fruit("Fruit", new Object[]{"apple", 3.5, "2024-05-01"},
                        new Object[]{"orange", "4", "2024-05-02"}, new Object[]{"banana", 1.25, null}));
                Model created = a.datasets().get(w, p, ds, "__full").getModel("dataset");
                assertEquals(3, created.at("stats.row_count"));
                assertEquals(3, created.at("stats.column_count"));
                assertEquals(1, created.getList("batch_ids").size());
                long first = ((Number) created.getList("batch_ids").get(0)).longValue();
                assertEquals(List.of("apple", "orange", "banana"), column(a, w, p, ds, "fruit"));

                long source = create(a, w, p, DatasetSpec.named("Delivery").column("name", "Name", ColumnType.TEXT)
                        .column("cost", "Cost", ColumnType.NUMERIC).row("kiwi", 2).row("mango", "5.5").build());
                Model check = a.batches().create(w, p, ds, BatchCreation.from(source).mapByName("Name", "Fruit", ColumnType.TEXT)
                        .mapByName("Cost", "Price", ColumnType.NUMERIC).validateOnly(true).build());
                assertNull(check.get("job_id"));
                assertEquals(3, a.datasets().get(w, p, ds).at("dataset.stats.row_count"), "validate_only writes nothing");

                Model job = a.jobs().waitFor(a.batches().create(w, p, ds, BatchCreation.from(source)
                        .map("name", "fruit", ColumnType.TEXT).map("cost", "price", ColumnType.NUMERIC).build()), WAIT);
                assertEquals("success", job.getString("status"), job.dumps());
                long second = job.getModel("response").getLong("batch_id");
                assertEquals(2, job.at("response.row_count"));
                assertEquals(List.of("apple", "orange", "banana", "kiwi", "mango"), column(a, w, p, ds, "fruit"));
                Model secondBatch = a.batches().get(w, p, ds, second, "__standard").getModel("batch");
                assertEquals("active", secondBatch.getString("state"));
                assertEquals(2, secondBatch.getInt("row_count"));
                assertEquals("combine", secondBatch.at("source.type"));

                assertEquals("success", a.jobs().waitFor(a.batches().update(w, p, ds, List.of(first), List.of()), WAIT).getString("status"));
                assertEquals(List.of("kiwi", "mango"), column(a, w, p, ds, "fruit"), "a suspended batch's rows leave the data");
                assertEquals(2, a.datasets().get(w, p, ds).at("dataset.stats.row_count"));
                assertEquals(2, a.datasets().data(w, p, ds, null, 10, 0).getInt("count"));
                assertEquals("suspended", a.batches().get(w, p, ds, first).at("batch.state"));
                assertEquals(List.of(first), ids(a.batches().list(w, p, ds, BatchQuery.builder().statuses("suspended").build())));

                a.jobs().waitFor(a.batches().update(w, p, ds, List.of(), List.of(first)), WAIT);
                assertEquals(List.of("apple", "orange", "banana", "kiwi", "mango"), column(a, w, p, ds, "fruit"), "restored rows come back");

                Model moved = a.jobs().waitFor(a.batches().create(w, p, ds, BatchCreation.from(source)
                        .map("name", "fruit", ColumnType.TEXT).deleteSourceDs(true).newDatasetName("Fruit, second delivery").build()), WAIT);
                assertEquals("success", moved.getString("status"), moved.dumps());
                long newDataset = moved.getModel("response").getLong("dataset_id");
                assertTrue(newDataset != ds);
                assertEquals("Fruit, second delivery", a.datasets().get(w, p, newDataset).at("dataset.name"));
                // Found by its name, comma and all (the name filter is a comma-separated list, here of "Fruit" and "second delivery";
                // the whole text is a name too).
                Model byName = a.datasets().list(w, p, Map.of("name", "Fruit, second delivery", "fields", "id,name"));
                assertTrue(byName.getList("datasets").stream().anyMatch(d -> ((Model) d).getLong("id") == newDataset), byName.dumps());
                assertEquals(List.of("kiwi", "mango"), column(a, w, p, newDataset, "fruit"));
                assertNull(a.datasets().data(w, p, newDataset, List.of("price"), 1, 0).at("data[0].price"), "unmapped columns stay empty");
                refused(404, () -> a.datasets().get(w, p, source));

                refused(404, () -> other.datasets().get(w, p, ds));
                refused(404, () -> other.batches().list(w, p, ds));
                refused(404, () -> other.datasets().data(w, p, ds, null, 10, 0));
                refused(404, () -> other.batches().delete(w, p, ds, first));

                assertEquals("success", a.jobs().waitFor(a.batches().remove(w, p, ds, List.of(first, second)), WAIT).getString("status"));
                assertEquals(List.of(), column(a, w, p, ds, "fruit"));
                assertEquals(0, a.datasets().get(w, p, ds).at("dataset.stats.row_count"));
                assertEquals(List.of(), ids(a.batches().list(w, p, ds)));
                refused(404, () -> a.batches().get(w, p, ds, first));

                long onlyBatch = ((Number) a.datasets().get(w, p, newDataset, "__full").at("dataset.batch_ids[0]")).longValue();
                assertEquals("success", a.jobs().waitFor(a.batches().delete(w, p, newDataset, onlyBatch), WAIT).getString("status"));
                assertEquals(0, a.datasets().data(w, p, newDataset, null, 10, 0).getList("data").size());
            }
        }
    }

    /**
     * A CSV upload may take the client's timeout and 10 s more per started MiB: a large file is not cut off by a timeout
     * meant for one call (with 300 ms, the upload below failed while the server was still storing its rows).
     */
    @Test
    void aLargeCsvUploadIsNotCutOffByTheTimeoutOfOneCall() {
        StringBuilder csv = new StringBuilder("n,word\n");
        for (int i = 0; i < 200_000; i++) csv.append(i).append(",word ").append(i).append('\n');
        try (DatasetsApi tight = DatasetsApi.builder(key.id(), key.secret()).serverUrl(server.url()).timeout(java.time.Duration.ofMillis(300))
                .maxRetries(0).build()) {
            Model made = tight.datasets().upload(w, p, "Large", csv.toString());
            assertEquals(200_000, made.at("dataset.stats.row_count"));
        }
    }

    /** A dataset with five batches: its own rows and four appended copies of a one-row source. */
    static long fiveBatches(String name) {
        long ds = create(api, w, p, fruit(name, new Object[]{"apple", 3.5, "2024-05-01"}, new Object[]{"pear", 2, "2024-05-03"}));
        for (int i = 0; i < 4; i++) {
            long source = create(api, w, p, fruit(name + " delivery " + i, new Object[]{"fig " + i, i, "2024-06-0" + (i + 1)}));
            Model job = api.jobs().waitFor(api.batches().create(w, p, ds, BatchCreation.from(source)
                    .map("fruit", "fruit", ColumnType.TEXT).map("price", "price", ColumnType.NUMERIC).build()), WAIT);
            assertEquals("success", job.getString("status"), job.dumps());
        }
        return ds;
    }

    @Test
    void batchListsFilterSortChooseFieldsAndPage() {
        long ds = fiveBatches("Listing");
        Model page = api.batches().list(w, p, ds, BatchQuery.builder().limit(2).build());
        assertEquals(2, page.getList("batches").size());
        assertTrue(page.getString("next").contains("offset=2"), page.getString("next"));
        List<Long> all = new ArrayList<>();
        for (Model b : api.batches().all(w, p, ds, BatchQuery.builder().limit(2).build())) all.add(b.getLong("id"));
        assertEquals(5, all.size());
        assertEquals(all.stream().sorted().toList(), all, "id ascending by default");
        assertEquals("", api.batches().list(w, p, ds, BatchQuery.builder().limit(2).offset(4).build()).getString("next"));

        List<Long> descending = new ArrayList<>(all);
        Collections.reverse(descending);
        assertEquals(descending, ids(api.batches().list(w, p, ds, BatchQuery.builder().sortDescending("id").build())));
        List<Long> byRows = ids(api.batches().list(w, p, ds, BatchQuery.builder().sortDescending("row_count").sortAscending("id").build()));
        assertEquals(all.get(0), byRows.get(0), "the first batch has two rows, the others one");
        assertEquals(List.of(all.get(0)), ids(api.batches().list(w, p, ds, BatchQuery.builder().rowCounts(2L).build())));
        assertEquals(List.of(all.get(1), all.get(3)), ids(api.batches().list(w, p, ds, BatchQuery.builder().ids(all.get(1), all.get(3)).build())));

        Model minimal = api.batches().list(w, p, ds, BatchQuery.builder().fields("id", "row_count").limit(1).build()).getList("batches").getModel(0);
        assertEquals(java.util.Set.of("id", "row_count"), minimal.keySet());
        Model full = api.batches().list(w, p, ds, BatchQuery.builder().fields("__full").limit(1).build()).getList("batches").getModel(0);
        assertEquals(3, full.getList("data_schema").size());

        Instant now = Instant.now();
        assertEquals(5, ids(api.batches().list(w, p, ds, BatchQuery.builder().createdBetween(now.minus(1, ChronoUnit.HOURS), now.plusSeconds(60)).build())).size());
        assertEquals(List.of(), ids(api.batches().list(w, p, ds, BatchQuery.builder().createdBetween(now.plus(1, ChronoUnit.HOURS), null).build())));
    }

    @Test
    void datasetsAreDeletedWithTheirBatchesAllOrNone() throws Exception {
        long one = create(api, w, p, fruit("Doomed 1", new Object[] {"apple", 1, "2024-05-01"}));
        long two = create(api, w, p, fruit("Doomed 2", new Object[] {"pear", 2, "2024-05-02"}));
        String base = server.url() + "/api/v2/workspaces/" + w + "/projects/" + p + "/datasets";
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, Integer> delete = url -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).DELETE().header("X-API-KEY", key.id())
                        .header("X-API-SECRET", key.secret()).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(404, delete.apply(base + "?ids=" + one + ",999999"), "an id not of this project");
        assertEquals(1, api.datasets().get(w, p, one).at("dataset.stats.row_count"), "and nothing was deleted");
        assertEquals(204, delete.apply(base + "?ids=" + one + "," + two));
        assertEquals(404, assertThrows(ApiException.class, () -> api.datasets().get(w, p, one)).code());
        assertEquals(404, assertThrows(ApiException.class, () -> api.datasets().get(w, p, two)).code());
        long three = create(api, w, p, fruit("Doomed 3", new Object[] {"fig", 3, "2024-05-03"}));
        java.util.function.BiFunction<String, String, Integer> patch = (url, body) -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).method("PATCH",
                                java.net.http.HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                        .header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret()).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(200, patch.apply(base + "/" + three, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": \"Renamed\"}}"));
        assertEquals("Renamed", api.datasets().get(w, p, three).at("dataset.name"));
        assertEquals(200, patch.apply(base + "?validation_only=true", "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {\"" + three + "\": \"Not yet\"}}}"));
        assertEquals("Renamed", api.datasets().get(w, p, three).at("dataset.name"), "validation only: nothing changed");
        assertEquals(200, patch.apply(base, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {\"" + three + "\": \"Twice\"}}}"));
        assertEquals("Twice", api.datasets().get(w, p, three).at("dataset.name"));
        assertEquals(400, patch.apply(base + "/" + three, "{\"patch\": {\"op\": \"add\", \"path\": \"columns\", \"value\": []}}"), "not offered");
        assertEquals(404, patch.apply(base, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {\"999999\": \"x\"}}}"));
        assertEquals(400, patch.apply(base, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {\"" + three + "\": \"a\", \"0" + three
                + "\": \"b\"}}}"), "one dataset named twice, in two spellings of its id");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) many.append(i == 0 ? "" : ", ").append('"').append("0".repeat(i)).append(three).append("\": \"n\"");
        assertEquals(400, patch.apply(base, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {" + many + "}}}"),
                "at most 100 datasets renamed at once");
        // A rename answers each dataset in its smallest view: its new name, not its schema.
        java.net.http.HttpResponse<String> renamed = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base)).method("PATCH",
                        java.net.http.HttpRequest.BodyPublishers.ofString("{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": {\""
                                + three + "\": \"Thrice\"}}}")).header("Content-Type", "application/json")
                .header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        Model renamedAnswer = Model.parse(renamed.body());
        assertEquals("Thrice", renamedAnswer.at("datasets[0].name"), renamed.body());
        assertEquals(null, renamedAnswer.at("datasets[0].data_schema"), "no schema in a rename's answer");
        assertEquals(400, patch.apply(base + "/" + three, "{\"patch\": {\"op\": \"replace\", \"path\": \"name\", \"value\": \"bell\\u0007\"}}"));
        java.util.function.Function<String, Integer> post = body -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret()).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String spec = "{\"ds_creation_type\": \"sketch\", \"dataset_spec\": {\"name\": \"%s\", \"dataschema\": [{\"c_id\": \"a\", \"c_name\": \"A\","
                + " \"c_type\": \"text\"}], \"display_properties\": {\"p\": \"%s\"}}}";
        assertEquals(201, post.apply(String.format(spec, "Shown", "x".repeat(60_000))), "display properties of 60,000 characters");
        assertEquals(400, post.apply(String.format(spec, "Too shown", "x".repeat(70_000))), "display properties are at most 65,536 characters");
        assertEquals(400, post.apply(String.format(spec, "bell\\u0007", "x")), "a name with a control character");
        assertEquals(204, delete.apply(base + "/" + three));
        assertEquals(404, delete.apply(base + "/" + three), "gone");
    }

    @Test
    void malformedFiltersAreFourHundredsThatSayWhatWasWrong() {
        long ds = create(api, w, p, fruit("Errors", new Object[]{"apple", 3.5, "2024-05-01"}));
        String path = "/api/v2/workspaces/" + w + "/projects/" + p + "/datasets/" + ds + "/batches";
        Map<String, String> bad = Map.of("sort", "(id:up)", "created_at", "yesterday", "limit", "101", "fields", "id,colour",
                "id", "1,x", "status", "active,sleeping", "row_count", "-1");
        bad.forEach((parameter, value) -> {
            ApiException e = assertThrows(ApiException.class, () -> api.call(io.omix.sdk.internal.ApiRequest.get(path).query(parameter, value)),
                    parameter + "=" + value);
            assertEquals(400, e.code());
            assertTrue(e.getMessage().contains(parameter), parameter + ": " + e.getMessage());
            // Every refusal of a parameter alike, the generic checks' (limit) as the API's own: extra.parameter names it.
            assertEquals(parameter, e.dataModel().getString("parameter"), parameter + ": " + e.getMessage());
            assertTrue(!e.getMessage().contains("参数错误"), "in English, as every detail of this API: " + e.getMessage());
        });
        refused(404, () -> api.batches().get(w, p, ds, 999_999));
        refused(404, () -> api.datasets().get(w, p + 1000, ds));
    }

    @Test
    void batchCreationChecksTheMappingAndTheSourceValuesFirst() {
        long ds = create(api, w, p, fruit("Checked", new Object[]{"apple", 3.5, "2024-05-01"}));
        long source = create(api, w, p, DatasetSpec.named("Loose").column("what", "What", ColumnType.TEXT).column("cost", "Cost", ColumnType.TEXT)
                .row("kiwi", "2").row("mango", "cheap").row("plum", "n/a").build());
        ApiException misfit = refused(400, () -> api.batches().create(w, p, ds, BatchCreation.from(source)
                .map("cost", "price", ColumnType.NUMERIC).build()));
        ListModel misfits = misfit.dataModel().getList("misfits");
        assertEquals(2, misfits.size());
        assertEquals("cheap", misfits.getModel(0).getString("value"));
        assertEquals("NUMERIC", misfits.getModel(0).getString("expected"));

        assertTrue(refused(400, () -> api.batches().create(w, p, ds, BatchCreation.from(source)
                .map("what", "price", ColumnType.TEXT).build())).getMessage().contains("expected_destination_c_type"));
        assertTrue(refused(400, () -> api.batches().create(w, p, ds, BatchCreation.from(source)
                .map("nope", "fruit", ColumnType.TEXT).build())).getMessage().contains("source_c_id"));
        assertTrue(refused(400, () -> api.batches().create(w, p, ds, BatchCreation.from(source)
                .map("what", "fruit", ColumnType.TEXT).mapByName("What", "Fruit", ColumnType.TEXT).build())).getMessage().contains("mix"));
        assertTrue(refused(400, () -> api.batches().create(w, p, ds, BatchCreation.from(ds)
                .map("fruit", "fruit", ColumnType.TEXT).deleteSourceDs(true).build())).getMessage().contains("delete_source_ds"));
        ApiException unknown = refused(400, () -> api.batches().update(w, p, ds, List.of(424242L), List.of()));
        assertEquals(List.of(424242), unknown.dataModel().getList("batch_ids").json());

        Model valid = api.batches().create(w, p, ds, BatchCreation.from(source).map("what", "fruit", ColumnType.TEXT).validateOnly(true).build());
        assertEquals(true, valid.getBoolean("valid"));
        assertEquals(3, valid.getInt("rows_checked"));
    }

    @Test
    void csvUploadsBecomeDatasetsWithInferredTypes(@TempDir Path dir) throws Exception {
        Model fromText = api.datasets().upload(w, p, "Prices", "Fruit,Unit price,Sold on\napple,3.5,2024-05-01\n\"pear, green\",2,2024-05-02\n")
                .getModel("dataset");
        assertEquals(List.of("text", "numeric", "date"),
                fromText.getList("data_schema").models().stream().map(c -> c.getString("c_type")).toList());
        assertEquals(List.of("fruit", "unit_price", "sold_on"),
                fromText.getList("data_schema").models().stream().map(c -> c.getString("c_id")).toList());
        long id = fromText.getLong("id");
        assertEquals(List.of("apple", "pear, green"), column(api, w, p, id, "fruit"));

        Path file = dir.resolve("big.csv");
        StringBuilder csv = new StringBuilder("n,square\n");
        for (int i = 0; i < 2500; i++) csv.append(i).append(',').append((long) i * i).append('\n');
        Files.writeString(file, csv);
        long big = api.datasets().upload(w, p, "Squares", file).getModel("dataset").getLong("id");
        List<Object> squares = column(api, w, p, big, "square");
        assertEquals(2500, squares.size(), "rows() walks every page");
        assertEquals("6245001", String.valueOf(squares.get(2499)));
        // Checked and copied through the rows a statement reads at a time (DatasetStore.ROWS_FETCHED), to the last one.
        long copied = create(api, w, p, DatasetSpec.named("Copied squares").column("square", "Square", ColumnType.NUMERIC).build());
        Model checked = api.batches().create(w, p, copied, BatchCreation.from(big).map("square", "square", ColumnType.NUMERIC).validateOnly(true).build());
        assertEquals(2500, checked.getInt("rows_checked"), checked.dumps());
        Model copy = api.jobs().waitFor(api.batches().create(w, p, copied, BatchCreation.from(big).map("square", "square", ColumnType.NUMERIC).build()), WAIT);
        assertEquals("success", copy.getString("status"), copy.dumps());
        List<Object> copiedSquares = column(api, w, p, copied, "square");
        assertEquals(squares.stream().map(String::valueOf).toList(), copiedSquares.stream().map(String::valueOf).toList());
        // Copied into itself: the rows it held, once more (the copy's own batch, written as the scan goes, is not read back).
        Model doubled = api.jobs().waitFor(api.batches().create(w, p, big, BatchCreation.from(big).map("square", "square", ColumnType.NUMERIC)
                .map("n", "n", ColumnType.NUMERIC).build()), WAIT);
        assertEquals("success", doubled.getString("status"), doubled.dumps());
        List<Object> twice = column(api, w, p, big, "square");
        assertEquals(5000, twice.size());
        assertEquals(squares.stream().map(String::valueOf).toList(), twice.subList(2500, 5000).stream().map(String::valueOf).toList());

        String ragged = refused(400, () -> api.datasets().upload(w, p, "Ragged", "a,b\n1,2,3\n")).getMessage();
        assertTrue(ragged.contains("line 2 has more values than the header's 2"), ragged);
        String short_ = refused(400, () -> api.datasets().upload(w, p, "Short", "a,b\n1,2\n3\n")).getMessage();
        assertTrue(short_.contains("line 3 has 1 values; the header has 2"), short_);
        Model listed = api.datasets().list(w, p, Map.of("name", "Squares", "fields", "id,name"));
        assertEquals(1, listed.getList("datasets").size());
        Model only = listed.getList("datasets").getModel(0);
        assertEquals(java.util.Set.of("id", "name"), only.keySet());
        assertEquals(big, only.getLong("id"));
    }

    /**
     * Work that holds a database connection for long (a CSV stored in one transaction, a batch's source checked before
     * the answer) runs two at a time for each API key on a server: here two uploads wait inside their transactions (the
     * test holds the key's workspaces locked), so the next is refused with 429 and Retry-After; another key is not held
     * up, and once the two have stored their rows the key uploads again.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApiKeyStoresTwoUploadsAtATime(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client key = Identity.datasetKey(s);
            Identity.Client otherKey = Identity.datasetKey(s);
            DatasetStore store = new DatasetStore(s.server().platform());
            DatasetStore.Workspace ws = store.createWorkspace(key.id(), "held");
            DatasetStore.Workspace others = store.createWorkspace(otherKey.id(), "other");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.function.BiFunction<Identity.Client, String, java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> upload = (k, name) -> {
                DatasetStore.Workspace at = k == key ? ws : others;
                return http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.url() + "/api/v2/workspaces/" + at.workspaceId()
                                + "/projects/" + at.projectId() + "/datasets/upload?name=" + name)).header("Content-Type", "text/csv")
                        .header("X-API-KEY", k.id()).header("X-API-SECRET", k.secret())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("n\n1\n")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            };
            List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> sent = new ArrayList<>();
            java.net.http.HttpResponse<String> refused;
            java.net.http.HttpResponse<String> other;
            java.util.concurrent.CompletableFuture<Model> retried;
            try (DatasetsApi sdk = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build();
                 java.sql.Connection lock = s.server().platform().database().dataSource().getConnection()) {
                lock.setAutoCommit(false);
                io.omix.server.common.db.Jdbc.query(lock, "SELECT workspace_id FROM ds_workspaces WHERE owner_key = ? FOR UPDATE", rs -> 1, key.id());
                // Three at once, and another key's: two take their turns and wait on the lock, the third is refused at once.
                for (int i = 0; i < 3; i++) sent.add(upload.apply(key, "Held" + i));
                var othersUpload = upload.apply(otherKey, "Other");
                refused = (java.net.http.HttpResponse<String>) java.util.concurrent.CompletableFuture.anyOf(sent.toArray(new java.util.concurrent.CompletableFuture[0]))
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
                other = othersUpload.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(2, sent.stream().filter(f -> !f.isDone()).count(), "two uploads stored at a time, waiting");
                // The SDK sends its writes under an Idempotency-Key and retries a 429 after Retry-After: the refusal is not
                // kept under the key, so the retry is served once a turn is free (a kept 429 answered every retry).
                retried = java.util.concurrent.CompletableFuture.supplyAsync(() -> sdk.datasets().upload(ws.workspaceId(), ws.projectId(), "Retried", "n\n1\n"));
                Thread.sleep(300);
                lock.rollback();
                assertEquals("Retried", retried.get(30, java.util.concurrent.TimeUnit.SECONDS).at("dataset.name"));
            }
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.body().contains("2 at a time"), refused.body());
            assertEquals(201, other.statusCode(), "another key has turns of its own: " + other.body());
            List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> held = sent.stream()
                    .filter(f -> f.getNow(null) != refused).toList();
            for (var answer : held) assertEquals(201, answer.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            assertEquals(201, upload.apply(key, "After").get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode(), "the turns came back");
        }
    }

    /** How many datasets one API key may hold (datasets.max-per-key), rows or none: by sketch, by upload and by a job's new dataset. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApiKeyHoldsNoMoreDatasetsThanItsQuota(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("datasets.max-per-key", "2").start()) {
            Identity.Client key = Identity.datasetKey(s);
            Identity.Client otherKey = Identity.datasetKey(s);
            DatasetStore store = new DatasetStore(s.server().platform());
            DatasetStore.Workspace ws = store.createWorkspace(key.id(), "count");
            DatasetStore.Workspace second = store.createWorkspace(key.id(), "count, too");
            DatasetStore.Workspace others = store.createWorkspace(otherKey.id(), "roomy");
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build();
                 DatasetsApi b = DatasetsApi.builder(otherKey.id(), otherKey.secret()).serverUrl(s.url()).build()) {
                long empty = create(a, ws.workspaceId(), ws.projectId(), DatasetSpec.named("Empty").column("n", "N", ColumnType.TEXT).build());
                a.datasets().upload(second.workspaceId(), second.projectId(), "One", "n\n1\n");
                ApiException over = refused(413, () -> create(a, ws.workspaceId(), ws.projectId(), fruit("Third")));
                assertTrue(over.getMessage().contains("more than 2 (datasets.max-per-key)"), over.getMessage());
                refused(413, () -> a.datasets().upload(ws.workspaceId(), ws.projectId(), "Third", "n\n1\n"));
                // A copy into a new dataset is refused at once, before a job would read its source.
                ApiException copy = refused(413, () -> a.batches().create(ws.workspaceId(), ws.projectId(), empty, BatchCreation.from(empty)
                        .map("n", "n", ColumnType.TEXT).newDatasetName("Copy").build()));
                assertTrue(copy.getMessage().contains("datasets.max-per-key"), copy.getMessage());
                assertEquals(1, a.datasets().list(ws.workspaceId(), ws.projectId()).getList("datasets").size(), "nothing kept");
                // A deleted dataset no longer counts.
                deleteDataset(s, key, ws, empty);
                create(a, ws.workspaceId(), ws.projectId(), fruit("Third, once there is room"));
                refused(413, () -> create(a, ws.workspaceId(), ws.projectId(), fruit("Fourth")));
                create(b, others.workspaceId(), others.projectId(), fruit("Another key's own room"));
                create(b, others.workspaceId(), others.projectId(), fruit("Another key's own room, too"));
            }
        }
    }

    /** What one API key's datasets may hold (datasets.max-rows-per-key), by upload and by copy. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApiKeysDatasetsHoldNoMoreThanItsQuota(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("datasets.max-rows-per-key", "5").start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "quota");
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                ApiException over = refused(413, () -> a.datasets().upload(ws.workspaceId(), ws.projectId(), "Six", "n\n1\n2\n3\n4\n5\n6\n"));
                assertTrue(over.getMessage().contains("more than 5 rows (datasets.max-rows-per-key)"), over.getMessage());
                assertEquals(0, a.datasets().list(ws.workspaceId(), ws.projectId(), Map.of()).getList("datasets").size(), "nothing kept");

                long three = a.datasets().upload(ws.workspaceId(), ws.projectId(), "Three", "n\n1\n2\n3\n").getModel("dataset").getLong("id");
                // Copying it into itself would double it: the job fails and writes nothing.
                Model job = a.jobs().waitFor(a.batches().create(ws.workspaceId(), ws.projectId(), three, BatchCreation.from(three)
                        .map("n", "n", ColumnType.NUMERIC).build()), WAIT);
                assertEquals("failure", job.getString("status"), job.dumps());
                assertTrue(job.dumps().contains("datasets.max-rows-per-key"), job.dumps());
                assertEquals(3, a.datasets().data(ws.workspaceId(), ws.projectId(), three, null, 10, 0).getInt("count"));

                // Deleting it gives the room back at once; its rows are removed after the answer, by a job of the key's.
                deleteDataset(s, key, ws, three);
                a.datasets().upload(ws.workspaceId(), ws.projectId(), "Five", "n\n1\n2\n3\n4\n5\n");
                var jdbc = s.server().platform().database().jdbc();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                long left;
                while ((left = jdbc.queryOne("SELECT COUNT(*) FROM ds_batches WHERE dataset_id = ?", rs -> rs.getLong(1), three).orElseThrow()) > 0
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0L, left, "the deleted dataset's batch and rows are removed");
            }
        }
    }

    /**
     * Deletions are answered at once and may come faster than rows are removed: one removal of a key's deleted datasets
     * waits to run at most (it finds them all), so that creating and deleting datasets in a loop cannot fill the queue.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void deletionsQueueOneRemovalOfTheirRowsAtMost(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("tasks.workers", "0").start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "churn");
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                for (int i = 0; i < 5; i++) deleteDataset(s, key, ws, create(a, ws.workspaceId(), ws.projectId(), fruit("Churn " + i)));
            }
            assertEquals(1L, s.server().platform().database().jdbc().queryOne("SELECT COUNT(*) FROM tasks WHERE kind = 'dataset.purge' AND status = 'PENDING'",
                    rs -> rs.getLong(1)).orElseThrow());
        }
    }

    /** DELETE of a whole dataset (the SDK offers no call for it): 204. */
    private static void deleteDataset(TestServer s, Identity.Client key, DatasetStore.Workspace ws, long dataset) throws Exception {
        java.net.http.HttpResponse<String> deleted = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(s.url() + "/api/v2/workspaces/" + ws.workspaceId() + "/projects/" + ws.projectId() + "/datasets/" + dataset))
                .header("X-API-KEY", key.id()).header("X-API-SECRET", key.secret()).DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(204, deleted.statusCode(), deleted.body());
    }

    /**
     * Two uploads of one key at once, each within its quota alone but not together: one is refused (413), and the
     * key's datasets never hold more than the quota (each saw the room free as it started).
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void twoUploadsAtOnceDoNotBothTakeTheLastRoom(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("datasets.max-rows-per-key", "150000").start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "race");
            StringBuilder csv = new StringBuilder("n\n");
            for (int i = 0; i < 100_000; i++) csv.append(i).append('\n');
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).timeout(Duration.ofMinutes(2)).build()) {
                var start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Integer>> uploads = new ArrayList<>();
                for (String name : List.of("First", "Second")) {
                    uploads.add(pool.submit(() -> {
                        start.await();
                        try {
                            a.datasets().upload(ws.workspaceId(), ws.projectId(), name, csv.toString());
                            return 200;
                        } catch (ApiException e) {
                            return e.httpStatus();
                        }
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (var u : uploads) statuses.add(u.get());
                Collections.sort(statuses);
                assertEquals(List.of(200, 413), statuses, "one upload lands, the other is refused");
                Model listed = a.datasets().list(ws.workspaceId(), ws.projectId(), Map.of());
                assertEquals(1, listed.getList("datasets").size(), listed.dumps());
                long kept = listed.getList("datasets").getModel(0).getLong("id");
                assertEquals(100_000, a.datasets().data(ws.workspaceId(), ws.projectId(), kept, null, 10, 0).getInt("count"));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * A copy job into a dataset whose deletion is under way (not yet committed) waits for it and fails: no batch or row is
     * left under the deleted dataset, where nothing could reach it and the key's quota would still count it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aCopyIntoADatasetBeingDeletedLeavesNothingBehind(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "doomed");
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                long source = create(a, ws.workspaceId(), ws.projectId(), fruit("Source", new Object[] {"kiwi", 1, "2024-05-01"}));
                long doomed = create(a, ws.workspaceId(), ws.projectId(), fruit("Doomed", new Object[] {"lime", 2, "2024-05-02"}));
                var jdbc = s.server().platform().database().jdbc();
                Model job;
                try (java.sql.Connection deleting = s.server().platform().database().dataSource().getConnection()) {
                    deleting.setAutoCommit(false);
                    // What a deletion of the dataset does, in its order, not yet committed.
                    io.omix.server.common.db.Jdbc.update(deleting, "UPDATE datasets SET status = 'deleted' WHERE dataset_id = ?", doomed);
                    io.omix.server.common.db.Jdbc.update(deleting, "UPDATE ds_batches SET state = 'deleting' WHERE dataset_id = ?", doomed);
                    job = a.batches().create(ws.workspaceId(), ws.projectId(), doomed, BatchCreation.from(source).map("fruit", "fruit", ColumnType.TEXT).build());
                    Thread.sleep(1000);
                    deleting.commit();
                }
                Model done = a.jobs().waitFor(job, WAIT);
                assertEquals("failure", done.getString("status"), done.dumps());
                assertEquals(0L, jdbc.queryOne("SELECT COUNT(*) FROM ds_batches WHERE dataset_id = ? AND state <> 'deleting'", rs -> rs.getLong(1), doomed)
                        .orElseThrow(), "no batch under the deleted dataset but its own, being deleted");
            }
        }
    }

    /**
     * What either database could not hold, or a read could not bound, is refused where it enters, on both databases: a
     * date filter beyond the year 9999 (before: a 500), a column name with a control character (PostgreSQL refused it
     * mid-write), a row of more than 1,048,576 characters as stored (a fetch of such rows filled the heap on
     * PostgreSQL); and a year or a number no database column holds makes its column text, not a date or a number.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatNoDatabaseHoldsIsRefusedWhereItEnters(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Client key = Identity.datasetKey(s);
            DatasetStore.Workspace ws = new DatasetStore(s.server().platform()).createWorkspace(key.id(), "bounds");
            try (DatasetsApi a = DatasetsApi.builder(key.id(), key.secret()).serverUrl(s.url()).build()) {
                long wsId = ws.workspaceId();
                long pr = ws.projectId();
                String path = "/api/v2/workspaces/" + wsId + "/projects/" + pr + "/datasets";
                for (String range : List.of("(from:'+1000000000-01-01T00:00:00Z')", "(to:'+300000-01-01T00:00:00Z')")) {
                    ApiException far = refused(400, () -> a.call(io.omix.sdk.internal.ApiRequest.get(path).query("created_at", range)));
                    assertTrue(far.getMessage().contains("created_at"), far.getMessage());
                }
                assertTrue(refused(400, () -> a.datasets().upload(wsId, pr, "Bell", "a\u0007b,c\n1,2\n"))
                        .getMessage().contains("control character"));
                String cell = "w".repeat(65_000);
                String wide = "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n" + String.join(",", java.util.Collections.nCopies(17, cell)) + "\n";
                String tooWide = refused(400, () -> a.datasets().upload(wsId, pr, "Wide", wide)).getMessage();
                assertTrue(tooWide.contains("row 1 takes") && tooWide.contains("1048576"), tooWide);
                // Each column named once, as a sketch's: a blank header by its place (pandas writes its index's so), a repeated one
                // with its count; each is then chosen by its name.
                Model named = a.datasets().upload(wsId, pr, "Names", ",a, a,a\n0,1,2,3\n").getModel("dataset");
                assertEquals(List.of("column 1", "a", "a (2)", "a (3)"),
                        named.getList("data_schema").models().stream().map(c -> c.getString("c_name")).toList());
                Model second = a.datasets().data(wsId, pr, named.getLong("id"), List.of("a (2)"), 10, 0).getList("data").getModel(0);
                assertEquals("2", String.valueOf(second.get("a_2")), "chosen by its name, answered under its id: " + second.dumps());
                Model odd = a.datasets().upload(wsId, pr, "Odd", "when,much\n+300000-01-01,1e2000\n").getModel("dataset");
                assertEquals(List.of("text", "text"), odd.getList("data_schema").models().stream().map(c -> c.getString("c_type")).toList());
                assertEquals(List.of("+300000-01-01"), column(a, wsId, pr, odd.getLong("id"), "when"));
            }
        }
    }

    /** A page of wide rows ends early (8 MiB of cells), and paging goes on from the row after its last. */
    @Test
    void aPageOfWideRowsStopsAtItsByteBudget() {
        StringBuilder csv = new StringBuilder("n,text\n");
        String wide = "w".repeat(65_000);
        for (int i = 0; i < 150; i++) csv.append(i).append(',').append(wide).append('\n');
        long id = api.datasets().upload(w, p, "Wide", csv.toString()).getModel("dataset").getLong("id");
        Model page = api.datasets().data(w, p, id, List.of("n"), 1000, 0);
        int sent = page.getList("data").size();
        assertTrue(sent > 100 && sent < 150, "about 8 MiB of 65 KB rows: " + sent);
        assertTrue(page.getString("next").contains("offset=" + sent), page.getString("next"));
        List<Object> all = column(api, w, p, id, "n");
        assertEquals(150, all.size(), "paging walks every row once");
        assertEquals("149", String.valueOf(all.get(149)));
    }

    /**
     * The page's budget holds its rows' column names too: 500 columns of 100-character ids and empty cells store five
     * characters a cell and answer more than a hundred (a page of 10,000 such rows was twenty times the budget).
     */
    @Test
    void aPageOfManyLongNamedColumnsStopsAtItsByteBudget() {
        List<Map<String, Object>> schema = new ArrayList<>();
        for (int c = 0; c < 500; c++) schema.add(Map.of("c_id", String.format("%0100d", c), "c_name", "column " + c, "c_type", "text"));
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < 200; r++) rows.add(new ArrayList<>(java.util.Collections.nCopies(500, null)));
        Map<String, Object> spec = Map.of("ds_creation_type", "sketch",
                "dataset_spec", Map.of("name", "Many columns", "dataschema", schema, "data_content", rows));
        long id = api.call(io.omix.sdk.internal.ApiRequest.post("/api/v2/workspaces/" + w + "/projects/" + p + "/datasets")
                .json(spec)).at("/dataset/id").asLong();
        Model page = api.datasets().data(w, p, id, null, 10_000, 0);
        int sent = page.getList("data").size();
        assertTrue(sent >= 140 && sent <= 161, "8 MiB of cells and answered names a page (some 54 KB a row): " + sent);
        assertTrue(page.getString("next").contains("offset=" + sent), page.getString("next"));
        assertEquals(200 - sent, api.datasets().data(w, p, id, null, 10_000, sent).getList("data").size(), "the rest on the next page");
    }

    static List<Long> ids(Model page) {
        List<Long> ids = new ArrayList<>();
        for (Model b : page.getList("batches").models()) ids.add(b.getLong("id"));
        return ids;
    }
}
