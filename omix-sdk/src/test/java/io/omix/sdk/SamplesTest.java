package io.omix.sdk;

import io.omix.server.samples.Project;
import io.omix.server.samples.SampleStore;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samples through the SDK: registration, filling in, lists and filters, and who sees what. */
class SamplesTest {
    static TestServer server;
    static Identity.Client client;
    static OAuth2 oauth2;
    static Api alice;
    static Api bob;
    static Api app;
    static String project;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        client = Identity.confidentialClient(server);
        oauth2 = OAuth2.builder(client.id(), client.secret()).endpoint(server.url()).build();
        alice = token(Identity.user(server, "alice", "alice@example.org"), null).api();
        bob = token(Identity.user(server, "bob", "bob@example.org"), null).api();
        app = oauth2.getCredentialsToken().api();
        project = new SampleStore(server.server().platform()).createProject("cohort", 1, "Omix", "Lab", "公开描述").projectId();
    }

    @AfterAll
    static void stop() {
        oauth2.close();
        server.close();
    }

    static AccessToken token(Identity.Person person, List<String> scopes) throws Exception {
        String url = oauth2.getAuthorizationUrl(Identity.REDIRECT, "s", scopes);
        String code = LoginPage.redirectParams(new LoginPage().authorize(url, person.username(), person.password(), true)).get("code");
        return oauth2.exchangeAuthorizationCode(code, Identity.REDIRECT);
    }

    static ApiException refused(Supplier<?> call) {
        return assertThrows(ApiException.class, call::get);
    }

    static String register(Api api, String external, int site) {
        return api.registerSample(external, site, project).getString("biosample_id");
    }

    @Test
    void aRegisteredSampleIsSeenByItsUserAndClientOnly() {
        String id = register(alice, "A-001", 11);
        assertTrue(id.matches("E-B[0-9]{11}"), id);
        Sample s = alice.getSample(id).as(Sample.class);
        assertEquals(new Sample.Coded(1, "human"), s.organism());
        assertEquals(new Sample.Coded(11, "blood"), s.biosampleSite());
        assertEquals(new Sample.Coded(1, "genomics"), s.omic());
        assertEquals(new Sample.Coded(1000, "已注册"), s.status());
        assertEquals(project, s.project().get(0).projectId());
        assertEquals("A-001", s.externalSampleId());
        assertTrue(s.updateTime().endsWith("+0000"), s.updateTime());
        assertEquals(List.of(), s.sequencing().get("platform"));

        assertEquals(id, app.getSample(id).getString("biosample_id"), "the client that registered it sees it");
        ApiException e = refused(() -> bob.getSample(id));
        assertEquals(41303, e.code());
        assertEquals("请提供本人的 biosample_id", e.msg());
        assertEquals(0, bob.getSamples(SampleQuery.all()).getInt("count"));
    }

    @Test
    void unknownAndMalformedIdsAre41303() {
        assertEquals(41303, refused(() -> alice.getSample("E-B00000000000")).code());
        assertEquals(41303, refused(() -> alice.getSample("nonsense")).code());
        assertEquals(41303, refused(() -> alice.improveSample("E-X1", Map.of("depth", 1))).code());
        // An id is one path segment whatever it holds: it never reaches another endpoint (here the person's profile).
        ApiException other = refused(() -> alice.getSample("x/../../user"));
        assertTrue(other.code() == 41303 || other.code() == 400, other.getMessage());
        assertEquals(41303, refused(() -> alice.getSample("E-X1?limit=1#x")).code());
        assertThrows(IllegalArgumentException.class, () -> alice.getSample(".."));
        assertThrows(IllegalArgumentException.class, () -> alice.deleteSample(""));
    }

    @Test
    void externalIdsAreUniquePerProjectAndSiteUnlessDuplicatesAreEnabled() throws Exception {
        register(alice, "DUP-1", 11);
        ApiException e = refused(() -> alice.registerSample("DUP-1", 11, project));
        assertEquals(41001, e.code());
        assertTrue(e.dataModel().getString("external_sample_id").contains("duplicate_enabled"));
        String again = alice.registerSample("DUP-1", 11, project, true, Map.of()).getString("biosample_id");
        assertTrue(again.startsWith("E-B"));
        assertTrue(register(alice, "DUP-1", 10).startsWith("E-F"), "another site is another namespace of external ids");
        // Another person's registration is not checked against Alice's ids: a refusal would tell that hers exists.
        try (Api carol = token(Identity.user(server, "dupchecker", "dupchecker@example.org"), null).api()) {
            assertTrue(register(carol, "DUP-1", 11).startsWith("E-B"));
            assertEquals(41001, refused(() -> carol.registerSample("DUP-1", 11, project)).code(), "her own duplicate is refused");
        }
    }

    @Test
    void registrationParametersAreValidated() {
        ApiException e = refused(() -> alice.registerSample("X", 16, "P-G00000000000"));
        assertEquals("must be an integer from 1 to 15", e.dataModel().getString("biosample_site"));
        assertEquals("no such project", refused(() -> alice.registerSample("X", 1, "P-G00000000000")).dataModel().getString("project_id"));
        assertEquals("must be P- + an upper-case letter + 11 digits",
                refused(() -> alice.registerSample("X", 1, "P-1")).dataModel().getString("project_id"));
        assertEquals("must be a number", refused(() -> alice.registerSample("X", 1, project, false, Map.of("depth", "deep")))
                .dataModel().getString("depth"));
    }

    @Test
    void improveFillsEmptyFieldsAndNeverChangesSetOnes() {
        String id = alice.registerSample("IMP-1", 11, project, false, Map.of("depth", "46.612")).getString("biosample_id");
        Model filled = alice.improveSample(id, Map.of("library_id", "HWJBAYTGAA170328-18", "coverage", "0.998", "depth", "46.612"));
        assertEquals(id, filled.getString("biosample_id"));
        ApiException e = refused(() -> alice.improveSample(id, Map.of("depth", "1", "platform", "BGISEQ-500")));
        assertEquals(Map.of("depth", "is set already and cannot change"), e.dataModel().json());
        Model sample = alice.getSample(id);
        assertEquals(List.of(), sample.at("sequencing.platform"), "nothing of a refused improvement is applied");
        assertEquals(0.998, ((Number) sample.at("statistics.coverage")).doubleValue());
        assertEquals(46.612, ((Number) sample.at("statistics.depth")).doubleValue());
    }

    @Test
    void listsFilterPageAndIterate() {
        Identity.Person carol = Identity.user(server, "carol", "carol@example.org");
        try (Api c = assertDoesNotThrow(() -> token(carol, null)).api()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) ids.add(register(c, "L-" + i, i < 3 ? 11 : 10));
            Model first = c.getSamples(SampleQuery.builder().limit(2).build());
            assertEquals(5, first.getInt("count"));
            assertEquals(2, first.getList("result").size());
            assertEquals(2, first.getInt("next_page"));
            Model last = c.getSamples(SampleQuery.builder().limit(2).page(3).build());
            assertEquals(1, last.getList("result").size());
            assertNull(last.get("next_page"));
            List<String> walked = new ArrayList<>();
            for (Model s : c.samples(SampleQuery.builder().limit(2).build())) walked.add(s.getString("biosample_id"));
            assertEquals(ids, walked);
            assertEquals(3, c.getSamples(SampleQuery.builder().biosampleSites(11).build()).getInt("count"));
            assertEquals(2, c.getSamples(SampleQuery.builder().biosampleIds(ids.get(0).toLowerCase(), ids.get(4)).build()).getInt("count"));
            assertEquals(5, c.getSamples(SampleQuery.builder().projectIds(project).statuses(1000).omics(1).organisms(1).build()).getInt("count"));
            assertEquals(0, c.getSamples(SampleQuery.builder().dataAvailability(true).build()).getInt("count"));
            ListModel externals = c.getExternalIds(project, 11, List.of("L-0", "L-2", "L-4"));
            assertEquals(2, externals.size());
            assertEquals("L-0", externals.getModel(0).getString("external_sample_id"));
        }
    }

    private static <T> T assertDoesNotThrow(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void listFiltersAreValidatedItemByItem() {
        assertEquals("0 is out of range 1..15", refused(() -> alice.getSamples(SampleQuery.builder().biosampleSites(1, 0).build()))
                .dataModel().getString("biosample_sites"));
        assertEquals("5 is not one of [-1, 1000, 2000, 3000, 4000, 5000, 9001, 9999]",
                refused(() -> alice.getSamples(SampleQuery.builder().statuses(5).build())).dataModel().getString("statuses"));
        assertEquals("must be an integer from 1 to 100", refused(() -> alice.getSamples(SampleQuery.builder().limit(101).build()))
                .dataModel().getString("limit"));
        assertTrue(refused(() -> alice.getSamples(SampleQuery.builder().biosampleIds("E-1").build())).dataModel().getString("biosample_ids")
                .contains("is not E- + an upper-case letter + 11 digits"));
    }

    @Test
    void tokensWithoutTheSamplesScopeAreRefused() throws Exception {
        try (Api profileOnly = token(Identity.user(server, "dave", "d@example.org"), List.of("profile")).api()) {
            assertEquals(401, refused(() -> profileOnly.getSamples(SampleQuery.all())).code());
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void privateAppsSeeTheirOwnNamespaceOnly(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Project p = new SampleStore(s.server().platform()).createProject("partner", 2, "c", "d", null);
            Identity.Client one = Identity.app(s, "APP_ONE");
            Identity.Client two = Identity.app(s, "APP_TWO");
            try (PrivateApi a = PrivateApi.builder(one.id(), one.secret()).endpoint(s.url()).build();
                 PrivateApi b = PrivateApi.builder(two.id(), two.secret()).endpoint(s.url()).build()) {
                String id = a.registerSample(10, p.projectId(), "S0ad004", Map.of("depth", "46.612")).getString("biosample_id");
                Model sample = a.getSample(id);
                assertEquals("S0ad004", sample.at("external_sample_id.sample_id"));
                assertEquals(10, sample.getInt("biosample_site"));
                assertEquals(46.612, ((Number) sample.at("statistics.depth")).doubleValue());
                assertTrue(sample.getModel("library").containsKey("library_strategy"));
                assertNull(sample.at("library.library_strategy"));
                assertEquals("metagenomics", sample.at("project[0].project_omic"));
                assertEquals(Map.of("biosample_id", id, "library_id", "LIB-1"), a.improveSample(id, Map.of("library_id", "LIB-1")).json());
                assertEquals(1, a.getSamples(id, null, null, null).getInt("count"));
                assertEquals(1, a.getSamples(null, "S0ad004", null, null).getInt("count"));
                assertEquals(41303, assertThrows(ApiException.class, () -> b.getSample(id)).code());
                assertEquals(0, b.getSamples(null, null, null, null).getInt("count"));
                int n = 0;
                for (Model ignored : a.samples()) n++;
                assertEquals(1, n);
            }
        }
    }

    /**
     * A private app's namespace, and an OAuth client with the people registering through it, hold at most
     * samples.max-per-registrant samples (registrations were unbounded): one more is 41401 naming samples, another
     * registrant has its own room, and an erased sample gives its room back. Registrations at once stay within it.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aRegistrantHoldsAtMostItsQuotaOfSamples(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).setting("samples.max-per-registrant", "3").start()) {
            Project p = new SampleStore(s.server().platform()).createProject("quota", 2, "c", "d", null);
            Project q = new SampleStore(s.server().platform()).createProject("quota-2", 2, "c", "d", null);
            Identity.Client one = Identity.app(s, "QUOTA_ONE");
            Identity.Client two = Identity.app(s, "QUOTA_TWO");
            try (PrivateApi a = PrivateApi.builder(one.id(), one.secret()).endpoint(s.url()).build();
                 PrivateApi b = PrivateApi.builder(two.id(), two.secret()).endpoint(s.url()).build()) {
                // Three at once, into two projects (locks of their own): exactly three land, then the fourth is refused.
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                List<java.util.concurrent.Future<Integer>> tries = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    String projectId = (i % 2 == 0 ? p : q).projectId();
                    String external = "Q-" + i;
                    tries.add(pool.submit(() -> {
                        try {
                            a.registerSample(10, projectId, external, Map.of());
                            return 0;
                        } catch (ApiException e) {
                            return e.code();
                        }
                    }));
                }
                List<Integer> codes = new java.util.ArrayList<>();
                for (var t : tries) codes.add(t.get());
                pool.shutdown();
                assertEquals(3, codes.stream().filter(c -> c == 0).count(), codes.toString());
                assertEquals(1, codes.stream().filter(c -> c == 41401).count(), codes.toString());
                ApiException over = assertThrows(ApiException.class, () -> a.registerSample(10, p.projectId(), "Q-9", Map.of()));
                assertEquals(41401, over.code());
                assertTrue(over.dataModel().getString("samples").contains("samples.max-per-registrant"), over.dataModel().dumps());
                assertEquals(3, a.getSamples(null, null, null, null).getInt("count"));

                b.registerSample(10, p.projectId(), "OTHER-1", Map.of()); // another namespace's own room

                String erased = a.getSamples(null, null, null, null).getList("result").getModel(0).getString("biosample_id");
                assertTrue(new io.omix.server.privacy.Erasure(s.server().platform()).eraseSample(erased));
                a.registerSample(10, p.projectId(), "Q-10", Map.of()); // its room given back
                assertEquals(41401, assertThrows(ApiException.class, () -> a.registerSample(10, p.projectId(), "Q-11", Map.of())).code());
            }
            // An OAuth client counts the samples registered with its own token and through people's tokens together.
            Identity.Client c = Identity.confidentialClient(s);
            Identity.Person person = Identity.user(s, "quota-person", "quota-person@example.org");
            try (OAuth2 o = OAuth2.builder(c.id(), c.secret()).endpoint(s.url()).build(); Api own = o.getCredentialsToken().api();
                 Api theirs = Api.builder(Identity.userToken(s, c, person.userId(), "samples").accessToken()).endpoint(s.url()).build()) {
                own.registerSample("C-1", 10, p.projectId());
                theirs.registerSample("C-2", 10, p.projectId());
                own.registerSample("C-3", 10, p.projectId());
                assertEquals(41401, assertThrows(ApiException.class, () -> theirs.registerSample("C-4", 10, p.projectId())).code());
            }
        }
    }

    /**
     * A person's tokens opened as several views share one refresh, and a listener that fails to store the new pair
     * leaves it in use: each view refreshed from the same first token before (the second presenting a refresh token the
     * first had used, which the platform takes for a stolen one and answers by revoking the grant), and a failing
     * listener left the dead refresh token in use, with the same end.
     */
    @Test
    void viewsOfOnePersonsTokensShareOneRefreshThatAFailingListenerDoesNotUndo() throws Exception {
        AccessToken first = token(Identity.user(server, "refresh-carol", "refresh-carol@example.org"), null);
        List<AccessToken> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        UserTokens credentials = UserTokens.of(client.id(), client.secret(), first).onRefresh(fresh -> {
            told.add(fresh);
            if (told.size() == 1) throw new IllegalStateException("the store is full");
        });
        try (Omix omix = Omix.builder().endpoint(server.url()).build()) {
            Api one = omix.openPlatform(credentials);
            Api two = omix.openPlatform(credentials);
            assertNotNull(one.samples().list().page());
            oauth2.revoke(first.accessToken());   // the access token dies: the next call renews the pair
            assertThrows(RuntimeException.class, () -> one.samples().list().page(), "the listener's failure reaches the caller");
            assertNotNull(one.samples().list().page(), "the new pair is in use all the same");
            assertNotNull(two.samples().list().page(), "and shared by the other view");
            assertEquals(2, told.size(), "one refresh for both views, offered to the listener again after it failed");
            assertEquals(told.get(0).refreshToken(), told.get(1).refreshToken(), "the same pair, told again");
            assertFalse(first.accessToken().equals(one.accessToken()));
            assertEquals(one.accessToken(), two.accessToken());
        }
    }
}
