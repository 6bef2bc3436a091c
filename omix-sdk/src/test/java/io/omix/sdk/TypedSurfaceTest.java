package io.omix.sdk;

import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every group of the typed surface against a real server with the demo data: abundances, aggregation,
 * profile, models, tasks, files, the private platform's samples, batches, data items and stream
 * ranges, the dataset batches API by {@link DatasetRef}; each answer typed, with the values the demo data holds.
 */
class TypedSurfaceTest {
    static TestServer server;
    static Model demo;
    static Omix omix;
    static Api person;
    static Api app;
    static PrivateApi partner;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.builder().setting("demo.enabled", "true").start();
        demo = Model.parse(Files.readString(server.dataDir().resolve("demo-credentials.json")));
        omix = Omix.builder().endpoint(server.url()).build();
        String clientId = (String) demo.at("oauth_client.client_id");
        String userToken = new TokenStore(server.server().platform()).issue(TokenStore.newFamily(), clientId, (String) demo.at("user.user_id"),
                "authorization_code", "profile samples microbiome streams files models", null, false).accessToken();
        person = omix.openPlatform(userToken);
        app = omix.openPlatform(ClientCredentials.of(clientId, (String) demo.at("oauth_client.client_secret")));
        partner = omix.privatePlatform((String) demo.at("private_app.app_key"), (String) demo.at("private_app.app_secret"));
    }

    @AfterAll
    static void stop() {
        omix.close();
        server.close();
    }

    static String gut() {
        return (String) demo.at("microbiome.biosample_id");
    }

    @Test
    void taxaComeAtEveryRankWithTheirCohortAndFilterAtAnyRank() {
        Paginated<TaxonAbundance> all = person.microbiome().taxa(AbundanceQuery.of(gut()).pageSize(7).build());
        List<TaxonAbundance> taxa = all.stream().toList();
        assertEquals(taxa.size(), taxa.stream().map(TaxonAbundance::taxonId).distinct().count(), "every page once");
        assertEquals(Set.of("kingdom", "phylum", "class", "order", "family", "genus", "species", "strain"),
                taxa.stream().map(TaxonAbundance::rank).collect(Collectors.toSet()));
        TaxonAbundance family = taxa.stream().filter(t -> t.rank().equals("family")).findFirst().orElseThrow();
        assertTrue(family.taxonName().startsWith("f__") && family.lineage().endsWith(family.taxonName()), family.toString());
        assertNotNull(family.background(), "the cohort's distribution");
        assertEquals(7, family.background().quantiles().size());
        assertTrue(family.background().cohortSize() > 0);
        List<TaxonAbundance> one = person.microbiome().taxa(AbundanceQuery.of(gut()).ids(family.taxonId()).build()).stream().toList();
        assertEquals(List.of(family.taxonId()), one.stream().map(TaxonAbundance::taxonId).toList(), "a family-level filter");
        assertEquals("percent", family.unit());
        assertEquals(family.taxonId(), family.raw().at("taxonomy.taxon_id"), "the dynamic view is there too");
    }

    @Test
    void functionsAndGenesAreTypedAndAnUnlistableCatalogIsOfferedAsAFile() throws Exception {
        List<FunctionAbundance> go = person.microbiome().functions(FunctionCatalog.GO, AbundanceQuery.of(gut()).pageSize(2).build()).stream().toList();
        assertTrue(go.size() > 2, "more than one page: " + go.size());
        assertTrue(go.stream().allMatch(f -> f.functionId() != null && f.system().startsWith("go")), go.toString());
        assertTrue(go.stream().filter(f -> f.functionId().startsWith("GO:") && f.value() > 0).count() >= 2, go.toString());
        List<GeneAbundance> genes = person.microbiome().genes(GeneCatalog.IGC_9_9M, AbundanceQuery.all(gut())).stream().toList();
        assertTrue(!genes.isEmpty() && genes.stream().allMatch(g -> g.geneId() != null && g.annotation() != null), genes.toString());

        InvalidParameterException refused = assertThrows(InvalidParameterException.class,
                () -> person.microbiome().genes(GeneCatalog.UNIREF90_HUMANN2_0_11, AbundanceQuery.all(gut())).page());
        assertTrue(refused.parameterErrors().containsKey("data_type"), refused.parameterErrors().toString());

        FileLink table = person.microbiome().geneTable(GeneCatalog.IGC_9_9M, gut());
        assertTrue(table.expires().isAfter(Instant.now()), table.toString());
        java.net.http.HttpResponse<String> tsv = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(table.url())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, tsv.statusCode());
        assertEquals(table.raw().getLong("size"), (long) tsv.body().getBytes(StandardCharsets.UTF_8).length);
        for (GeneAbundance g : genes) assertTrue(tsv.body().contains(g.geneId()), g.geneId());
    }

    @Test
    void aWeekAggregatedByDayHasSevenPeriodsWithTheLastDayIncluded() {
        String sample = (String) demo.at("streams.biosample_id");
        String heartRate = (String) demo.at("streams.heart_rate");
        AggregateResult week = app.streams().aggregate(Aggregation.of(heartRate, TimeDimension.DAY).biosample(sample)
                .days(LocalDate.of(2025, 6, 1), LocalDate.of(2025, 6, 7)).build());
        assertEquals(TimeDimension.DAY, week.timeDimension());
        assertEquals(7, week.periods().size());
        assertEquals(LocalDate.of(2025, 6, 7), week.periods().get(6).start().toLocalDate());
        assertTrue(week.periods().stream().allMatch(p -> p.count() == 1 && p.mean() != null), week.periods().toString());
        assertEquals(week.periods().get(0).sum(), week.periods().get(0).mean());
        IllegalStateException noWindow = assertThrows(IllegalStateException.class, () -> Aggregation.of(heartRate, TimeDimension.DAY).build());
        assertTrue(noWindow.getMessage().contains("window"));
    }

    @Test
    void theProfileAndASampleAreTyped() {
        User me = person.user();
        assertEquals("demo", me.username());
        String genomics = (String) demo.at("samples.genomics");
        assertEquals(genomics, person.samples().get(genomics).biosampleId());
        assertThrows(PermissionException.class, () -> app.user(), "a client-credentials token acts for no person");
    }

    @Test
    void filesUploadLinkAndDownloadByTheirTypedGroup(@TempDir Path dir) {
        byte[] bytes = "typed bytes\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        String name = app.files().upload("typed.txt", bytes);
        FileLink link = app.files().link(name);
        assertEquals(name, link.objectName());
        assertTrue(link.expires().isAfter(Instant.now()) && link.expires().isBefore(Instant.now().plusSeconds(3600)), link.toString());
        Path copy = dir.resolve("copy.txt");
        assertEquals(bytes.length, app.files().download(name, copy));
        assertArrayEquals(bytes, assertDoesNotThrowRead(copy));
        assertThrows(NotFoundException.class, () -> app.files().link(name + "-missing"));
    }

    static byte[] assertDoesNotThrowRead(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void externalIdsUploadCredentialsAndIntrospectionAreTyped() {
        String project = (String) demo.at("projects.genomics");
        String external = "EXT-" + System.nanoTime();
        String id = app.samples().register(SampleRegistration.of(project, 11).externalId(external).build());
        assertEquals(Map.of(external, id), app.samples().externalIds(project, 11, List.of(external, "NOT-REGISTERED")));
        UploadCredentials credentials = app.files().credentials();
        assertTrue(credentials.accessKeyId() != null && credentials.expiration().toInstant().isAfter(Instant.now()), credentials.toString());
        assertTrue(!credentials.toString().contains(credentials.accessKeySecret()), "the secret stays out of toString");
        String clientId = (String) demo.at("oauth_client.client_id");
        OAuth2 oauth2 = omix.oauth2(clientId, (String) demo.at("oauth_client.client_secret"));
        String token = oauth2.getCredentialsToken().accessToken();
        TokenInfo info = oauth2.inspect(token);
        assertTrue(info.active() && clientId.equals(info.clientId()) && info.expiresAt().isAfter(Instant.now()), info.toString());
        assertEquals("client_credentials", info.grantType());
        oauth2.revoke(token);
        assertTrue(!oauth2.inspect(token).active(), "a revoked token is inactive");
    }

    @Test
    void unknownModelsAre41202WhateverTheCall() {
        NotFoundException invoke = assertThrows(NotFoundException.class, () -> app.models().invoke("no_such-model", Map.of()));
        assertEquals(41202, invoke.code());
        assertThrows(NotFoundException.class, () -> app.models().versions("no_such-model").page());
    }

    @Test
    void aPartnerRegistersSamplesFillsACommitsABatchAndReadsItsItemsTyped() {
        String project = (String) demo.at("projects.genomics");
        String sample = partner.samples().register(SampleRegistration.of(project, 11).externalId("TYPED-" + System.nanoTime()).build());
        assertTrue(sample.matches("E-[A-Z]\\d{11}"), sample);
        PartnerSample back = partner.samples().get(sample);
        assertEquals(sample, back.biosampleId());
        assertEquals(11, back.biosampleSite());
        assertTrue(back.projectIds().contains(project), back.projectIds().toString());
        assertTrue(partner.samples().list().stream().anyMatch(s -> s.biosampleId().equals(sample)));
        int legacy = 0;
        for (Model m : partner.samples()) legacy++;
        assertTrue(legacy >= 2, "iterating the group itself still yields every sample as a Model");

        long batchNo = partner.batches().register("typed", "a typed batch");
        List<BatchItem> items = new ArrayList<>();
        for (Map<String, Object> m : BatchesTest.items(150, 0)) {
            @SuppressWarnings("unchecked") Map<String, ?> attributes = (Map<String, ?>) m.get("attributes");
            items.add(BatchItem.of((String) m.get("data_element_id"), attributes).forSample(sample));
        }
        partner.batches().add(batchNo, items);
        assertTrue(!partner.batches().get(batchNo).committed());
        Task commit = partner.batches().commit(batchNo);
        Task done = partner.tasks().waitFor(commit, java.time.Duration.ofSeconds(30));
        assertEquals(TaskState.SUCCESS, done.state(), done.toString());
        assertTrue(done.state().isFinished() && done.completed() != null);
        Batch batch = partner.batches().get(batchNo);
        assertTrue(batch.committed() && batch.commitTime() != null, batch.toString());
        List<DataItem> read = partner.dataItems(DataItemQuery.builder().batch(batchNo).build()).stream().toList();
        assertEquals(150, read.size());
        assertTrue(read.stream().allMatch(d -> sample.equals(d.biosampleId()) && d.attributes().getString("deid_idx") != null));
    }

    @Test
    void aPartnerReadsARangeByEntityAndOneRecordById() {
        String heartRate = (String) demo.at("streams.heart_rate");
        String entity = partner.streams().bind((String) demo.at("samples.private_app"));
        OffsetDateTime at = OffsetDateTime.of(2030, 3, 1, 9, 30, 0, 123456000, ZoneOffset.ofHours(2));
        BatchWriteResult written = partner.streams().write(List.of(StreamWrite.of(entity, heartRate, at.toInstant(), Map.of("value", 58))),
                Duplicates.ALLOW);
        written.requireAll();
        String id = written.written().get(0).streamId();
        List<StreamRecord> range = partner.streams().range(StreamRange.of(heartRate).namespace((String) demo.at("private_app.namespace")).entity(entity)
                .days(LocalDate.of(2030, 3, 1), LocalDate.of(2030, 3, 1)).build()).stream().toList();
        assertTrue(range.stream().anyMatch(r -> r.streamId().equals(id) && r.generatedAt().toInstant().equals(at.toInstant())), range.toString());
        StreamRecord one = partner.streams().get(id);
        assertEquals(58, one.data().getInt("value"));
        assertThrows(IllegalArgumentException.class, () -> partner.streams().range(StreamRange.of(heartRate).namespace("N").build()),
                "a range names a sample or an entity");
    }

    @Test
    void datasetCallsTakeADatasetRefThatCannotBeSwapped() {
        try (DatasetsApi datasets = omix.datasetBatches((String) demo.at("dataset_api.api_key"), (String) demo.at("dataset_api.api_secret"))) {
            DatasetRef ref = DatasetRef.of(demo.getModel("dataset_api").getLong("workspace_id"), demo.getModel("dataset_api").getLong("project_id"),
                    demo.getModel("dataset_api").getLong("dataset_id"));
            DatasetInfo info = datasets.datasets().get(ref);
            assertEquals(ref.datasetId(), info.id());
            assertTrue(!info.batchIds().isEmpty() && info.rowCount() != null && info.createdAt() != null, info.toString());
            List<DatasetBatch> batches = datasets.batches().list(ref, BatchQuery.all()).stream().toList();
            assertTrue(!batches.isEmpty() && batches.stream().allMatch(b -> b.id() != null && b.createdAt() != null), batches.toString());
            DatasetBatch first = datasets.batches().get(ref, batches.get(0).id());
            assertEquals(batches.get(0).name(), first.name());
            assertTrue(first.rowCount() != null && first.rowCount() >= 0, first.toString());
            JobStart suspend = datasets.batches().update(ref, List.of(first.id()), List.of());
            Job done = datasets.jobs().waitFor(suspend, java.time.Duration.ofSeconds(30));
            assertTrue(done.succeeded(), done.toString());
            assertEquals(done.id(), datasets.jobs().status(done.id()).id());
            assertEquals("suspended", datasets.batches().get(ref, first.id()).state());
        }
        assertThrows(IllegalArgumentException.class, () -> DatasetRef.of(1, 0, 3));
    }
}
