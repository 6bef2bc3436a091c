package io.omix.sdk;

import io.omix.server.samples.SampleStore;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VCF import by an operator and get_variants through the SDK, on the fixture VCF the project ships. */
class VariantsTest {
    static TestServer server;

    static byte[] fixture() throws Exception {
        try (InputStream in = VariantsTest.class.getResourceAsStream("/vcf/fixture.vcf")) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** A world with an operator, a user who owns a sample, and another user. */
    record World(TestServer server, Api operator, Api owner, Api stranger, String sample) {}

    static World world(TestServer s) throws Exception {
        Identity.Client c = Identity.confidentialClient(s);
        String opPassword = "operator-password-1";
        new UserStore(s.server().platform()).create("operator1", opPassword, User.Profile.EMPTY, true);
        Identity.Person owner = Identity.user(s, "owner", "o@example.org");
        Identity.Person stranger = Identity.user(s, "stranger", "s@example.org");
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build()) {
            Api op = login(o, "operator1", opPassword, ADMIN_SCOPES);
            Api own = login(o, owner.username(), owner.password());
            Api str = login(o, stranger.username(), stranger.password());
            String project = new SampleStore(s.server().platform()).createProject("wgs", 1, null, null, null).projectId();
            String sample = own.registerSample("WGS-1", 11, project).getString("biosample_id");
            return new World(s, op, own, str, sample);
        }
    }

    /** An operator's token for the admin endpoints must ask for admin by name. */
    static final java.util.List<String> ADMIN_SCOPES = java.util.List.of("admin", "samples", "variants", "microbiome", "profile");

    static Api login(OAuth2 o, String username, String password) throws Exception {
        return login(o, username, password, null);
    }

    static Api login(OAuth2 o, String username, String password, java.util.List<String> scopes) throws Exception {
        String url = o.getAuthorizationUrl(Identity.REDIRECT, "s", scopes);
        String code = LoginPage.redirectParams(new LoginPage().authorize(url, username, password, true)).get("code");
        return o.exchangeAuthorizationCode(code, Identity.REDIRECT).api();
    }

    static HttpResponse<String> upload(World w, Api as, String query, byte[] body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(w.server().url() + "/admin/variants/import?" + query))
                .header("Authorization", "Bearer " + as.accessToken()).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Model importFixture(World w, byte[] body) throws Exception {
        HttpResponse<String> r = upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT&pipeline_version=WGSAI3.0-l", body);
        Model answer = Model.parse(r.body());
        assertEquals(0, answer.getInt("code"), r.body());
        return answer.getModel("data");
    }

    static World world;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        world = world(server);
        Model result = importFixture(world, gzip(fixture()));
        assertEquals(7, result.getInt("imported"), "6 records with ids, one of them with two ids");
        assertEquals(1, result.getInt("skipped_without_rsid"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Map<String, Variant> byId(ListModel list) {
        return list.as(Variant.class).stream().collect(Collectors.toMap(v -> v.alternateId().get(0), v -> v, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    @Test
    void callsComeBackShapedAsTheOriginalPlatformAnswers() {
        ListModel answer = world.owner().getVariants(world.sample(), "rs100,rs200,rs300,rs400,rs500,rs700,rs701,rs999");
        Map<String, Variant> v = byId(answer);
        assertEquals(List.of("rs100", "rs200", "rs300", "rs400", "rs500", "rs700", "rs701", "rs999"), List.copyOf(v.keySet()),
                "one answer per asked id, in the order asked");

        Variant snp = v.get("rs100");
        assertTrue(snp.isAssayed());
        assertTrue(snp.isGenotyped());
        assertFalse(snp.isNoCall());
        assertEquals("1", snp.variant().chromosome());
        assertEquals(1000L, snp.variant().position());
        assertEquals("A", snp.variant().referenceBase());
        assertEquals(List.of("G"), snp.variant().alternateBase());
        assertEquals("A/G", snp.variant().genotype());
        assertEquals("snp", snp.variant().type());
        assertEquals("0/1", snp.variant().call().get("GT"));
        assertEquals(List.of(14, 16), snp.variant().call().get("AD"));
        assertEquals("300,0,280", snp.variant().call().get("PL"));
        assertEquals(99, snp.variant().call().get("GQ"));
        assertEquals(50.5, ((Number) snp.variant().information().get("site_quality")).doubleValue());
        assertEquals("GRCh37", ((Map<?, ?>) snp.source().get("tag")).get("assembly_synonym"));
        assertEquals(150, ((Map<?, ?>) snp.source().get("tag")).get("dbSNP_build"));
        assertEquals("WGSAI3.0-l", snp.source().get("pipeline_version"));
        Model raw = answer.getModel(0);
        assertEquals("GENEA", raw.at("genomic_context.gene[0].symbol"), "gene from SnpEff ANN");
        assertEquals(List.of(0.25), ((ListModel) raw.at("variant.information.frequency.AF")).json().stream()
                .map(n -> ((Number) n).doubleValue()).toList());
        assertTrue(snp.variantId().matches("[0-9a-f-]{36}"));

        assertEquals("indel", v.get("rs200").variant().type());
        assertEquals("A/A", v.get("rs200").variant().genotype());
        assertEquals("GENEB", answer.getModel(1).at("genomic_context.gene[0].symbol"), "gene from VEP CSQ");

        Variant multi = v.get("rs300");
        assertEquals(List.of("C", "G"), multi.variant().alternateBase());
        assertEquals("C/G", multi.variant().genotype());

        Variant noCall = v.get("rs400");
        assertTrue(noCall.isAssayed());
        assertTrue(noCall.isNoCall());
        assertFalse(noCall.isGenotyped());
        assertEquals("./.", noCall.variant().genotype());
        assertNull(noCall.variant().information().get("site_quality"));

        assertEquals("G|T", v.get("rs500").variant().genotype(), "phasing is kept");
        assertEquals("G/GA", v.get("rs700").variant().genotype());
        assertEquals(v.get("rs700").variant().position(), v.get("rs701").variant().position(), "a record with two ids answers under both");

        Variant absent = v.get("rs999");
        assertFalse(absent.isAssayed());
        assertNull(absent.variant());
        assertNull(absent.variantId());
    }

    @Test
    void rsidListsAreValidated() {
        Api owner = world.owner();
        assertEquals("'rs1' is repeated", assertThrows(ApiException.class, () -> owner.getVariants(world.sample(), "rs1,rs1"))
                .dataModel().getString("rsids"));
        assertEquals("'snp1' is not rs followed by digits, without leading zeros", assertThrows(ApiException.class, () -> owner.getVariants(world.sample(), "rs1,snp1"))
                .dataModel().getString("rsids"));
        assertEquals("'rs01' is not rs followed by digits, without leading zeros", assertThrows(ApiException.class, () -> owner.getVariants(world.sample(), "rs1,rs01"))
                .dataModel().getString("rsids"), "rs01 would be rs1 asked twice");
        assertEquals(2, owner.getVariants(world.sample(), "rs0,rs10").size(), "rs0 and a zero inside an id are fine");
        String tooMany = java.util.stream.IntStream.rangeClosed(1, 101).mapToObj(i -> "rs" + i).collect(Collectors.joining(","));
        assertEquals("must have at most 100 items", assertThrows(ApiException.class, () -> owner.getVariants(world.sample(), tooMany))
                .dataModel().getString("rsids"));
        assertEquals("is required", assertThrows(ApiException.class, () -> owner.getVariants(world.sample(), ""))
                .dataModel().getString("rsids"));
        String hundred = java.util.stream.IntStream.rangeClosed(1, 100).mapToObj(i -> "rs" + i).collect(Collectors.joining(","));
        assertEquals(100, owner.getVariants(world.sample(), hundred).size());
    }

    @Test
    void nobodyElseSeesTheCalls() throws Exception {
        assertEquals(41303, assertThrows(ApiException.class, () -> world.stranger().getVariants(world.sample(), "rs100")).code());
        assertEquals(41303, assertThrows(ApiException.class, () -> world.owner().getVariants("E-B00000000001", "rs100")).code());
        String project = new SampleStore(world.server().server().platform()).createProject("unsequenced", 1, null, null, null).projectId();
        String unsequenced = world.owner().registerSample("NO-VCF-1", 11, project).getString("biosample_id");
        assertFalse(world.owner().getVariants(unsequenced, "rs100").getModel(0).getBoolean("is_assayed"), "the owner's sample with no calls yet");
        assertEquals(41303, assertThrows(ApiException.class, () -> world.stranger().getVariants(unsequenced, "rs100")).code());
        HttpResponse<String> notOperator = upload(world, world.owner(), "biosample_id=" + world.sample(), fixture());
        assertEquals(401, Model.parse(notOperator.body()).getInt("code"));
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aReimportReplacesTheCallsAndABrokenFileChangesNothing(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            World w = world(s);
            importFixture(w, fixture());
            assertTrue(w.owner().getVariants(w.sample(), "rs100").getModel(0).getBoolean("is_assayed"));

            byte[] broken = (new String(fixture()) + "1\tnot-a-position\trs900\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/1\n").getBytes();
            HttpResponse<String> refused = upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT", broken);
            Model answer = Model.parse(refused.body());
            assertEquals(41001, answer.getInt("code"), refused.body());
            assertTrue(answer.at("data.body").toString().contains("line number 26"), refused.body());
            assertTrue(w.owner().getVariants(w.sample(), "rs100").getModel(0).getBoolean("is_assayed"), "the earlier import stays current");
            byte[] unsorted = (new String(fixture()) + "1\t500\trs900\tA\tG\t.\tPASS\t.\tGT\t0/0\t0/1\n").getBytes();
            refused = upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT", unsorted);
            answer = Model.parse(refused.body());
            assertEquals(41001, answer.getInt("code"), refused.body());
            assertTrue(answer.at("data.body").toString().contains("record 8 (1:500): the VCF is not sorted by position"), refused.body());
            for (String control : List.of("%0A%23CHROM", "%C2%85")) {   // a line break; a C1 control (NEL)
                refused = upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT&assembly=GRCh38" + control, fixture());
                answer = Model.parse(refused.body());
                assertEquals(41001, answer.getInt("code"), refused.body());
                assertTrue(answer.getModel("data").keySet().contains("assembly"), "names the parameter: " + refused.body());
            }
            assertTrue(w.owner().getVariants(w.sample(), "rs100").getModel(0).getBoolean("is_assayed"), "the earlier import stays current");

            String smaller = new String(fixture()).lines().filter(l -> !l.contains("rs100")).collect(Collectors.joining("\n")) + "\n";
            importFixture(w, smaller.getBytes());
            assertFalse(w.owner().getVariants(w.sample(), "rs100").getModel(0).getBoolean("is_assayed"), "a new import replaces the old");
            assertEquals(1, s.server().platform().database().jdbc()
                    .query("SELECT COUNT(*) FROM variant_sources", rs -> rs.getInt(1)).get(0), "old imports are cleaned up");
        }
    }

    @Test
    void tokensNeedTheVariantsScope() throws Exception {
        Identity.Client c = Identity.confidentialClient(server);
        Identity.Person p = Identity.user(server, "scoped", "x@example.org");
        try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(server.url()).build()) {
            String url = o.getAuthorizationUrl(Identity.REDIRECT, "s", List.of("samples"));
            String code = LoginPage.redirectParams(new LoginPage().authorize(url, p.username(), p.password(), true)).get("code");
            try (Api api = o.exchangeAuthorizationCode(code, Identity.REDIRECT).api()) {
                assertEquals(401, assertThrows(ApiException.class, () -> api.getVariants(world.sample(), "rs100")).code());
            }
        }
    }

    static List<String> ids(Iterable<Variant> calls) {
        List<String> out = new java.util.ArrayList<>();
        for (Variant v : calls) out.add(v.alternateId().get(0));
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void callsByRegionOrBedFileInOrderPagedAndOnlyTheOwnersOnEitherDatabase(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            World w = world(s);
            importFixture(w, fixture());
            String sample = w.sample();
            assertEquals(List.of("rs100", "rs200"), ids(w.owner().variants().region(RegionQuery.of(sample).region("chr1", 1, 2500).build())),
                    "chr1 finds the VCF's 1, in position order");
            assertEquals(List.of("rs500"), ids(w.owner().variants().region(RegionQuery.of(sample).region("2", 1, 10_000).build())),
                    "variant sites only: the no-call at 2:4000 is left out");
            assertEquals(List.of("rs400", "rs500"), ids(w.owner().variants().region(RegionQuery.of(sample).region("2", 1, 10_000).allSites().build())));
            assertEquals(List.of("rs700", "rs701"), ids(w.owner().variants().region(RegionQuery.of(sample).bed("# panel\nX\t6999\t7000\n").build())),
                    "BED is 0-based, end excluded: X 6999 7000 is position 7000");
            assertEquals(List.of(), ids(w.owner().variants().region(RegionQuery.of(sample).bed("X\t7000\t7001\n").build())));
            RegionQuery all = RegionQuery.of(sample).region("X", 1, 10_000).region("1", 1, 10_000).region("2", 1, 10_000).pageSize(1).build();
            assertEquals(List.of("rs700", "rs701", "rs100", "rs200", "rs300", "rs500"), ids(w.owner().variants().region(all)),
                    "the regions' order, one call a page, each once");
            Paginated.Page<Variant> first = w.owner().variants().region(all).page();
            assertEquals("rs701", w.owner().variants().region(all).page(first.nextCursor()).items().get(0).alternateId().get(0), "resumable");
            // The token names its import by a keyed tag, not by the platform's count of imports.
            String[] parts = new String(java.util.Base64.getUrlDecoder().decode(w.owner().getProfessionalVariant(sample, List.of("1:1-10000"), null, false,
                    null, 1).getString("next_page")), java.nio.charset.StandardCharsets.UTF_8).split("\n");
            assertTrue(parts[1].matches("t[A-Za-z0-9]{16}"), String.join("|", parts));

            assertEquals(41001, code(() -> w.owner().getProfessionalVariant(sample, List.of("1:1-10"), "1\t0\t10\n", true, null, null)), "both");
            assertEquals(41001, code(() -> w.owner().getProfessionalVariant(sample, null, null, true, null, null)), "neither");
            InvalidParameterException backwards = assertThrows(InvalidParameterException.class,
                    () -> w.owner().getProfessionalVariant(sample, List.of("1:500-100"), null, true, null, null));
            assertTrue(backwards.parameterErrors().containsKey("regions"), backwards.parameterErrors().toString());
            InvalidParameterException badBed = assertThrows(InvalidParameterException.class,
                    () -> w.owner().getProfessionalVariant(sample, null, "1\t10\t5\n", true, null, null));
            assertTrue(badBed.parameterErrors().get("bed").contains("line 1"), badBed.parameterErrors().toString());
            InvalidParameterException badPage = assertThrows(InvalidParameterException.class,
                    () -> w.owner().getProfessionalVariant(sample, List.of("1:1-10"), null, true, "bm90LWEtdG9rZW4", null));
            assertTrue(badPage.parameterErrors().containsKey("next_page"));
            // A forged cursor naming a region before the first is refused, not a server error.
            String forged = io.omix.server.common.http.PageToken.encode(
                    s.server().platform().database().jdbc().queryOne("SELECT source_id FROM variant_sources WHERE biosample_id = ?", rs -> rs.getLong(1), sample).orElseThrow(),
                    -1, 0, 0, 0);
            InvalidParameterException negative = assertThrows(InvalidParameterException.class,
                    () -> w.owner().getProfessionalVariant(sample, List.of("1:1-10"), null, true, forged, null));
            assertTrue(negative.parameterErrors().containsKey("next_page"), negative.parameterErrors().toString());
            // Nor one naming the sample's import by its number, as tokens did before the keyed tag: trying numbers against one's
            // own sample told how many imports the platform had made.
            String numbered = io.omix.server.common.http.PageToken.encode(
                    s.server().platform().database().jdbc().queryOne("SELECT source_id FROM variant_sources WHERE biosample_id = ?", rs -> rs.getLong(1), sample).orElseThrow(),
                    0, 0, 0, 0);
            InvalidParameterException byNumber = assertThrows(InvalidParameterException.class,
                    () -> w.owner().getProfessionalVariant(sample, List.of("1:1-10"), null, true, numbered, null));
            assertTrue(byNumber.parameterErrors().get("next_page").contains("first page"), byNumber.parameterErrors().toString());
            assertEquals(41303, code(() -> w.stranger().getProfessionalVariant(sample, List.of("1:1-10000"), null, true, null, null)));
            assertEquals(41303, code(() -> w.owner().getProfessionalVariant("E-B00000000001", List.of("1:1-10000"), null, true, null, null)));

            Model overview = w.owner().samples().overview(sample);
            assertEquals(7L, ((Number) overview.at("variants.calls")).longValue(), overview.toString());
            assertEquals(41303, code(() -> w.stranger().getOverview(sample)));
        }
    }

    /**
     * A page reads at most 50,000 calls: over 60,000 calls of 0/0 with variant sites only, the first page is
     * empty and names the next, and the SDK's iteration goes on to find the three variant sites after them.
     */
    @Test
    void regionIterationGoesOnPastPagesThatFoundNothing() throws Exception {
        try (TestServer s = TestServer.start()) {
        World w = world(s);
        StringBuilder vcf = new StringBuilder("##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tPATIENT\n");
        for (int i = 0; i < 60_003; i++) {
            vcf.append("1\t").append(1000 + i).append("\trs").append(1_000_000 + i).append("\tA\tG\t50\tPASS\t.\tGT\t").append(i < 60_000 ? "0/0" : "0/1").append('\n');
        }
        HttpResponse<String> r = upload(w, w.operator(), "biosample_id=" + w.sample() + "&sample_name=PATIENT", gzip(vcf.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(0, Model.parse(r.body()).getInt("code"), r.body());
        Model first = w.owner().getProfessionalVariant(w.sample(), List.of("1:1-100000"), null, true, null, 100);
        assertEquals(0, first.getList("result").size(), "the first page read its 50,000 calls of 0/0");
        assertTrue(first.getString("next_page") != null, "and says where the next starts");
        assertEquals(List.of("rs1060000", "rs1060001", "rs1060002"), ids(w.owner().variants().region(RegionQuery.of(w.sample()).region("1", 1, 100_000).build())));
        }
    }

    static int code(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(ApiException.class, call).code();
    }
}
