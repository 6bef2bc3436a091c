package io.omix.sdk;

import io.omix.server.samples.SampleStore;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Microbiome profiles imported by an operator and read through the SDK, with the cohort background. */
class MicrobiomeTest {
    static TestServer server;
    static VariantsTest.World world;
    static String sample;

    static byte[] resource(String name) throws Exception {
        try (InputStream in = MicrobiomeTest.class.getResourceAsStream("/microbiome/" + name)) {
            return in.readAllBytes();
        }
    }

    static Model importProfile(VariantsTest.World w, String biosampleId, String query, byte[] body) throws Exception {
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(w.server().url() + "/admin/microbiome/import?biosample_id=" + biosampleId + "&" + query))
                .header("Authorization", "Bearer " + w.operator().accessToken())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return Model.parse(r.body());
    }

    static String metagenomicsSample(VariantsTest.World w, String external) {
        String project = new SampleStore(w.server().server().platform()).createProject("gut " + external, 2, null, null, null).projectId();
        return w.owner().registerSample(external, 10, project, false, java.util.Map.of("platform", "BGISEQ-500")).getString("biosample_id");
    }

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        world = VariantsTest.world(server);
        sample = metagenomicsSample(world, "GUT-1");
        assertEquals(0, importProfile(world, sample, "kind=taxon&software=MetaPhlAn4", resource("taxa.tsv")).getInt("code"));
        assertEquals(0, importProfile(world, sample, "kind=func&catalog=go", resource("go.tsv")).getInt("code"));
        assertEquals(0, importProfile(world, sample, "kind=gene&catalog=IGC_9.9M&software=IGC_PROFILING", resource("igc.tsv")).getInt("code"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void taxonAbundancesComeMostAbundantFirstWithTaxonomyAndPaging() {
        Model page = world.owner().getTaxonAbundance(sample, null, 1, 5);
        assertEquals(14, page.getInt("count"), "14 clades with a rank (1 kingdom, 3 phyla, 1 genus, 9 species); UNCLASSIFIED is not a taxon");
        assertEquals(5, page.getList("result").size());
        assertEquals(2, page.getInt("next_page"));
        Model first = page.getList("result").getModel(0);
        assertEquals("k__Bacteria", first.at("taxonomy.taxon_name"));
        assertEquals("kingdom", first.at("taxonomy.rank"));
        assertEquals("2", first.at("taxonomy.taxon_id"), "the NCBI taxid of the profile");
        assertEquals(99.5, first.at("observation.value"));
        assertEquals("percent", first.at("observation.unit"));
        assertEquals("feces", first.at("sample_info.biosample_site"));
        assertEquals(List.of("BGISEQ-500"), first.getList("platform_labels").json());
        Model fragilis = world.owner().getTaxonAbundance(sample, "817", null, null).getList("result").getModel(0);
        assertEquals("s__Bacteroides_fragilis", fragilis.at("taxonomy.taxon_name"));
        assertEquals("species", fragilis.at("taxonomy.rank"));
        assertTrue(fragilis.at("taxonomy.lineage").toString().endsWith("|g__Bacteroides|s__Bacteroides_fragilis"));
        List<String> all = new ArrayList<>();
        for (Model m : world.owner().taxonAbundances(sample)) all.add((String) m.at("taxonomy.taxon_id"));
        assertEquals(14, all.size());
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void theBackgroundDescribesTheCohortAndTakesNewProfilesInTenAtATime(String kind) throws Exception {
        // Figures are shown from six carriers of a taxon on (and six samples in the cohort).
        try (TestServer s = TestServer.builder().database(kind).setting("microbiome.background-min-cohort", "6").start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String lineage = "k__Bacteria|p__Testia|c__T|o__T|f__T|g__T|s__Testus_exemplaris\t2|1|2|3|4|5|4242\t";
            // A cohort of 10: taxon 4242 absent from 4 samples, 1..6 in the others.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = metagenomicsSample(w, "C-" + i);
                ids.add(id);
                String table = "#clade_name\tNCBI_tax_id\trelative_abundance\nk__Bacteria\t2\t100\n" + (i >= 4 ? lineage + (i - 3) + "\n" : "")
                        + (i == 9 ? "k__Bacteria|p__Testia|c__T|o__T|f__T|g__T|s__Testus_rarus\t2|1|2|3|4|5|4343\t7\n" : "");
                assertEquals(0, importProfile(w, id, "kind=taxon", table.getBytes()).getInt("code"));
                if (i == 8) {
                    // Nine profiles wait for the tenth (microbiome.background-publish-every): nothing is published, and
                    // with so few people (microbiome.background-min-cohort) no figure would be shown anyway.
                    Model few = background(w, ids.get(6));
                    assertEquals(0, few.getInt("cohort_size"));
                    assertNull(few.get("mean"));
                    assertNull(few.get("freq"));
                    assertNull(few.get("rank_ratio"));
                    assertNull(few.at("background.100%"), "no extreme of so few people");
                }
            }
            Model median = background(w, ids.get(6));   // abundance 3
            assertEquals(10, median.getInt("cohort_size"));
            assertEquals(0.6, median.getDouble("freq"), 1e-9);
            assertEquals(2.1, median.getDouble("mean"), 1e-9);
            assertEquals(0.0, ((Number) median.at("background.0%")).doubleValue());
            assertEquals(0.0, ((Number) median.at("background.25%")).doubleValue());
            assertEquals(1.5, ((Number) median.at("background.50%")).doubleValue(), 1e-9);
            assertEquals(3.75, ((Number) median.at("background.75%")).doubleValue(), 1e-9);
            assertEquals(6.0, ((Number) median.at("background.100%")).doubleValue(), 1e-9);
            assertEquals(">=70%", median.getString("rank_ratio"), "7 of 10 samples have at most 3");
            assertEquals(">=100%", background(w, ids.get(9)).getString("rank_ratio"));
            assertEquals(">=50%", background(w, ids.get(4)).getString("rank_ratio"));
            // A taxon only one sample carries, in a cohort large enough: how often it is found, nothing about the carrier
            // (its top quantile, or the mean times the cohort, would be that person's abundance).
            Model rare = w.owner().getTaxonAbundance(ids.get(9), "4343", null, null).getList("result").getModel(0).getModel("background");
            assertEquals(10, rare.getInt("cohort_size"));
            assertEquals(0.1, rare.getDouble("freq"), 1e-9);
            assertNull(rare.get("mean"));
            assertNull(rare.get("rank_ratio"));
            assertNull(rare.at("background.100%"));
            assertNull(rare.at("background.50%"));

            // One new profile is not published on its own: comparing the answers before and after its import would
            // tell its abundance. A re-import is counted as the profile was until the next publication.
            String late = metagenomicsSample(w, "C-late");
            importProfile(w, late, "kind=taxon", (lineage + "40\n").getBytes());
            importProfile(w, ids.get(9), "kind=taxon", (lineage + "2\n").getBytes());
            assertEquals(median.dumps(), background(w, ids.get(6)).dumps(), "nothing moved");
            assertEquals(">=100%", background(w, late).getString("rank_ratio"), "the new sample is placed in the published cohort");

            // Eight more make ten waiting (the late one, the re-import, eight new): all go in together.
            for (int i = 0; i < 8; i++) {
                String id = metagenomicsSample(w, "D-" + i);
                importProfile(w, id, "kind=taxon", "k__Bacteria\t2\t100\n".getBytes());
                if (i < 7) assertEquals(10, background(w, ids.get(6)).getInt("cohort_size"));
            }
            Model after = background(w, ids.get(6));
            assertEquals(19, after.getInt("cohort_size"), "10 counted, the late one, 8 new");
            assertEquals(7.0 / 19, after.getDouble("freq"), 1e-9, "1, 2, 3, 4, 5, 2 (re-imported) and 40");
            assertEquals(coarse(57.0 / 19), after.getDouble("mean"), 1e-12);
            assertEquals(40.0, ((Number) after.at("background.100%")).doubleValue(), 1e-9);

            // Erasing a counted sample takes exactly it out, and publishes no waiting profile with it.
            importProfile(w, metagenomicsSample(w, "E-1"), "kind=taxon", (lineage + "90\n").getBytes());
            s.server().platform().database().jdbc().inTransaction(c -> {   // as an erasure of the sample does it
                io.omix.server.microbiome.ProfileImporter.eraseSample(c, ids.get(8));   // abundance 5
                return null;
            });
            Model erased = background(w, ids.get(6));
            assertEquals(18, erased.getInt("cohort_size"));
            assertEquals(6.0 / 18, erased.getDouble("freq"), 1e-9);
            assertEquals(coarse(52.0 / 18), erased.getDouble("mean"), 1e-12);
            assertEquals(2.89, erased.getDouble("mean"), 1e-12, "three significant digits");
            assertEquals(40.0, ((Number) erased.at("background.100%")).doubleValue(), 1e-9, "the waiting 90 stays out");
        }
    }

    private static double coarse(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }

    private static Model background(VariantsTest.World w, String biosampleId) {
        return w.owner().getTaxonAbundance(biosampleId, "4242", null, null).getList("result").getModel(0).getModel("background");
    }

    @Test
    void theDemoProfileHasEveryCladeAtEveryRankWithABackgroundForEach() throws Exception {
        try (TestServer s = TestServer.builder().setting("demo.enabled", "true").start()) {
            Model demo = Model.parse(java.nio.file.Files.readString(s.dataDir().resolve("demo-credentials.json")));
            String metagenomics = (String) demo.at("samples.metagenomics");
            String token = new io.omix.server.oauth.TokenStore(s.server().platform()).issue(io.omix.server.oauth.TokenStore.newFamily(),
                    (String) demo.at("oauth_client.client_id"), (String) demo.at("user.user_id"), io.omix.server.oauth.OAuthClient.AUTHORIZATION_CODE,
                    "samples microbiome", null, false).accessToken();
            try (Api api = Api.builder(token).endpoint(s.url()).build()) {
                java.util.Map<String, Model> byRank = new java.util.TreeMap<>();
                for (Model row : api.taxonAbundances(metagenomics)) byRank.putIfAbsent((String) row.at("taxonomy.rank"), row);
                assertEquals(java.util.Set.of("kingdom", "phylum", "class", "order", "family", "genus", "species", "strain"), byRank.keySet(),
                        "a MetaPhlAn profile has a row for every clade at every rank");
                for (Model row : byRank.values()) {
                    Model background = row.getModel("background");
                    assertTrue(background.getInt("cohort_size") >= 30, row.dumps());
                    assertTrue(background.getDouble("freq") > 0.5, "the cohort has this clade too: " + row.dumps());
                    assertTrue(background.getDouble("mean") > 0, "with abundances, not an all-zero background: " + row.dumps());
                }
                Model family = api.getTaxonAbundance(metagenomics, "815", null, null).getList("result").getModel(0);
                assertEquals("f__Bacteroidaceae", family.at("taxonomy.taxon_name"), "taxon_ids filters at the family rank");
                assertEquals("family", family.at("taxonomy.rank"));
            }
        }
    }

    @Test
    void functionalAbundancesPageWithAnOpaqueToken() {
        Model first = world.owner().getFuncAbundance(sample, "go", null, null, 3);
        assertEquals(7, first.getInt("count"), "stratified rows are left out");
        assertEquals(3, first.getInt("limit"));
        String next = first.getString("next_page");
        assertNotNull(next);
        Model item = first.getList("result").getModel(0);
        assertEquals("go_HUMAnN2_0.11", item.at("coding.system"));
        assertEquals("GO:0005975", item.at("coding.id"));
        assertTrue(item.getString("data_element_id").matches("[0-9a-f-]{36}"));
        Model last = world.owner().getFuncAbundance(sample, "go", null, world.owner().getFuncAbundance(sample, "go", null, next, 3)
                .getString("next_page"), 3);
        assertEquals(1, last.getList("result").size());
        assertNull(last.get("next_page"));
        int n = 0;
        for (Model ignored : world.owner().funcAbundances(sample, "go")) n++;
        assertEquals(7, n);
        assertEquals(1, world.owner().getFuncAbundance(sample, "go", "GO:1990063", null, null).getInt("count"));
        assertEquals(4.38145e-06, world.owner().getFuncAbundance(sample, "go", "GO:1990063", null, null).at("result[0].observation.value"));
        ApiException bad = assertThrows(ApiException.class, () -> world.owner().getFuncAbundance(sample, "go", null, "forged", null));
        assertEquals("is not a next_page this server handed out", bad.dataModel().getString("next_page"));
        assertTrue(assertThrows(ApiException.class, () -> world.owner().getFuncAbundance(sample, "nope"))
                .dataModel().getString("catalog").startsWith("must be one of go, ko"));
    }

    /** A gene table asked for as a file by many requests at once is read from the database and written to the object store once. */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aGeneTableAskedForByManyAtOnceIsWrittenOnce(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            VariantsTest.World w = VariantsTest.world(s);
            String id = metagenomicsSample(w, "GENES-1");
            assertEquals(0, importProfile(w, id, "kind=gene&catalog=IGC_9.9M&software=IGC_PROFILING", resource("igc.tsv")).getInt("code"));
            var written = s.server().platform().metrics().get("omix.microbiome.gene_tables_written").counter();
            double before = written.count();
            java.util.concurrent.Callable<String> ask = () -> w.owner().getGeneAbundance(id, "IGC_9.9M", "file").getList("result").getModel(0)
                    .getString("object_name");
            List<String> names = io.omix.server.testing.Concurrently.atOnce(java.util.Collections.nCopies(8, ask));
            assertEquals(8, names.size());
            assertEquals(before + 1, written.count(), "eight requests at once, one table written");
            ask.call();
            assertEquals(before + 1, written.count(), "and reused after");
        }
    }

    @Test
    void geneAbundancesCarryTheirAnnotationAndComeAsAFileToo() throws Exception {
        Model genes = world.owner().getGeneAbundance(sample, "IGC_9.9M", "list");
        assertEquals(3, genes.getInt("count"));
        Model g = genes.getList("result").getModel(0);
        assertEquals("igc_1", g.at("igc_gene.igc_gene_id"));
        assertEquals("T2D-6A_GL0083352", g.at("igc_gene.igc_gene_name"));
        assertEquals("K01824", g.at("igc_gene.annotation.kegg_annotation"));
        assertEquals(88230, g.at("igc_gene.annotation.gene_length"));
        assertEquals("IGC_PROFILING", g.at("observation.software"));
        // data_type=file: the whole table as a tab-separated file, by a signed link.
        Model file = world.owner().getGeneAbundance(sample, "IGC_9.9M", "file").getList("result").getModel(0);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpResponse<String> table = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(file.getString("url"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, table.statusCode());
        List<String> lines = table.body().lines().toList();
        assertEquals("gene_id\tabundance\tgene_name\tannotation", lines.get(0));
        assertEquals(4, lines.size(), "the header and the sample's 3 genes");
        assertTrue(lines.get(1).startsWith("igc_1\t"), lines.get(1));
        assertEquals(file.getLong("size"), (long) table.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals(file.getString("object_name"), world.owner().getGeneAbundance(sample, "IGC_9.9M", "file").getList("result").getModel(0)
                .getString("object_name"), "made once per import, then reused");
        // The sample lists it among its files (require_files), with a link of its own.
        HttpResponse<String> listed = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/samples/" + sample
                + "?require_files=true")).header("Authorization", "Bearer " + world.owner().accessToken()).build(), HttpResponse.BodyHandlers.ofString());
        Model files = Model.parse(listed.body()).getModel("data");
        assertEquals(file.getString("object_name"), files.getList("files").getModel(0).getString("object_name"));
        // A token that may see the sample but not its microbiome data gets no gene table through the sample's files.
        String ownerId = new io.omix.server.users.UserStore(server.server().platform()).findByUsername("owner").orElseThrow().userId();
        String samplesOnly = Identity.userToken(server, Identity.confidentialClient(server), ownerId, "samples").accessToken();
        HttpResponse<String> narrow = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/samples/" + sample
                + "?require_files=true")).header("Authorization", "Bearer " + samplesOnly).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(0, Model.parse(narrow.body()).getInt("code"), narrow.body());
        assertEquals(0, Model.parse(narrow.body()).getModel("data").getList("files").size(), "the samples scope alone lists no gene tables");
        // Nor does the registering application's own token, whatever its scopes: microbiome data is read with the person's grant only.
        String registeredBy = server.server().platform().database().jdbc().queryOne("SELECT registered_by_client FROM samples WHERE biosample_id = ?",
                rs -> rs.getString(1), sample).orElseThrow();
        String appToken = new io.omix.server.oauth.TokenStore(server.server().platform()).issue(io.omix.server.oauth.TokenStore.newFamily(), registeredBy,
                null, io.omix.server.oauth.OAuthClient.CLIENT_CREDENTIALS, "samples microbiome files", null, false).accessToken();
        HttpResponse<String> asApp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/samples/" + sample
                + "?require_files=true")).header("Authorization", "Bearer " + appToken).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(0, Model.parse(asApp.body()).getInt("code"), asApp.body());
        assertEquals(0, Model.parse(asApp.body()).getModel("data").getList("files").size(), "the application's own token lists no gene tables");
        // A UniRef90 table is too large to list: a file only, as on the original platform.
        ApiException list = assertThrows(ApiException.class, () -> world.owner().getGeneAbundance(sample, "UniRef90_HUMAnN2_0.11", "list"));
        assertEquals(41001, list.code());
        assertTrue(list.dataModel().getString("data_type").contains("file"));
        assertEquals(0, world.owner().getGeneAbundance(sample, "UniRef90_HUMAnN2_0.11", "file").getInt("count"), "no such profile: no file");
    }

    @Test
    void onlyTheSamplesUserSeesItAndOnlyWithAUserToken() {
        assertEquals(41303, assertThrows(ApiException.class, () -> world.stranger().getTaxonAbundance(sample)).code());
        Identity.Client c = Identity.confidentialClient(server);
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build(); Api app = o.getCredentialsToken().api()) {
            assertEquals(401, assertThrows(ApiException.class, () -> app.getTaxonAbundance(sample)).code(), "client mode is not supported (as on the original platform)");
        }
    }

    @Test
    void malformedProfilesAreRefusedNamingTheLine() throws Exception {
        Model bad = importProfile(world, sample, "kind=func&catalog=ko", "K00001: x\tmany\n".getBytes());
        assertEquals(41001, bad.getInt("code"));
        assertEquals("line 1: 'many' is not an abundance (a number >= 0)", bad.at("data.body"));
        Model noHeader = importProfile(world, sample, "kind=gene&catalog=IGC_9.9M", "igc_1\t0.1\n".getBytes());
        assertTrue(noHeader.at("data.body").toString().contains("header must name gene_id and abundance"));
    }
}
