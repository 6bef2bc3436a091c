package io.omix.sdk;

import io.omix.server.common.auth.Scope;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.testing.LoginPage;
import io.omix.server.testing.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consent as a person relies on it: asked once per application and scope, remembered, listed with
 * when each application last used it, and taken back so that every credential of that application
 * for that person stops at once, while other applications go on. On H2 and PostgreSQL.
 */
class ConsentTest {
    static final String REDIRECT = Identity.REDIRECT;

    record App(String id, String secret, OAuth2 oauth2) {}

    static App app(TestServer s, String name) {
        Set<String> scopes = new LinkedHashSet<>(Scope.defaults());
        scopes.add(Scope.GRANTS.id());
        ClientStore.Created c = new ClientStore(Identity.platform(s)).create(name, List.of(REDIRECT),
                Set.of(OAuthClient.AUTHORIZATION_CODE), scopes, false, null);
        return new App(c.client().clientId(), c.secret(), OAuth2.builder(c.client().clientId(), c.secret()).endpoint(s.url()).build());
    }

    /** {@code person} signs in on {@code browser} and allows {@code scopes}; the application exchanges the code. */
    static AccessToken allowed(OAuth2 oauth2, LoginPage browser, Identity.Person person, String state, List<String> scopes) throws Exception {
        return oauth2.exchangeAuthorizationCode(LoginPage.redirectParams(browser.authorize(oauth2.getAuthorizationUrl(REDIRECT, state, scopes),
                person.username(), person.password(), true)).get("code"), REDIRECT);
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPublicClientAndAskingForGrantsAreAlwaysAskedAgain(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person alice = Identity.user(s, "asked", "asked@example.org");
            LoginPage browser = new LoginPage();
            // A public client cannot prove who it is: whoever listens on its loopback redirect would get a code from any
            // page that sends the browser to this URL, were it answered without the person's click.
            ClientStore.Created cli = new ClientStore(Identity.platform(s)).create("Command line", List.of(REDIRECT),
                    Set.of(OAuthClient.AUTHORIZATION_CODE), Set.of("samples"), true, null);
            String url = s.url() + "/oauth2/authorize?response_type=code&client_id=" + cli.client().clientId() + "&redirect_uri="
                    + java.net.URLEncoder.encode(REDIRECT, java.nio.charset.StandardCharsets.UTF_8) + "&scope=samples&state=p1"
                    + "&code_challenge=" + "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" + "&code_challenge_method=S256";
            HttpResponse<String> first = browser.authorize(url, alice.username(), alice.password(), true);
            assertNotNull(LoginPage.redirectParams(first).get("code"));
            HttpResponse<String> again = browser.get(url);
            assertEquals(200, again.statusCode(), "a public client is asked again, every time");
            assertTrue(again.body().contains("Already allowed"), again.body());

            // A confidential client asking again for grants (see and revoke every other application) is asked again too.
            App tool = app(s, "Own tool");
            allowed(tool.oauth2(), browser, alice, "g1", List.of("grants", "samples"));
            assertEquals(200, browser.get(tool.oauth2().getAuthorizationUrl(REDIRECT, "g2", List.of("grants", "samples"))).statusCode());
            assertEquals(302, browser.get(tool.oauth2().getAuthorizationUrl(REDIRECT, "g3", List.of("samples"))).statusCode(),
                    "what else it was allowed is not asked again");
            tool.oauth2().close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void consentIsAskedOnceListedAndTakenBackWithEveryCredential(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person alice = Identity.user(s, "consenting", "consenting@example.org");
            App tracker = app(s, "Sleep tracker");
            App console = app(s, "Omix tool");
            LoginPage browser = new LoginPage();

            // First time: the page asks, the person allows.
            String url = tracker.oauth2().getAuthorizationUrl(REDIRECT, "s1", List.of("samples", "files"));
            HttpResponse<String> first = browser.authorize(url, alice.username(), alice.password(), true);
            AccessToken token = tracker.oauth2().exchangeAuthorizationCode(LoginPage.redirectParams(first).get("code"), REDIRECT);

            // Again, the same scopes: no page, straight back with a code.
            HttpResponse<String> again = browser.get(tracker.oauth2().getAuthorizationUrl(REDIRECT, "s2", List.of("samples")));
            assertEquals(302, again.statusCode(), "allowed before: not asked again");
            assertEquals("s2", LoginPage.redirectParams(again).get("state"));
            assertNotNull(LoginPage.redirectParams(again).get("code"));

            // One more scope: the page asks for that one only.
            HttpResponse<String> more = browser.get(tracker.oauth2().getAuthorizationUrl(REDIRECT, "s3", List.of("samples", "files", "streams")));
            assertEquals(200, more.statusCode());
            assertTrue(more.body().contains(Scope.STREAMS.en()), "the new scope is asked for");
            assertFalse(more.body().contains(Scope.FILES.en()), "what was allowed is not asked again");
            assertTrue(more.body().contains("Already allowed"), more.body());

            // The person's own tool lists and revokes (scope grants).
            AccessToken own = allowed(console.oauth2(), browser, alice, "c", List.of("grants", "samples"));
            try (Api tool = own.api(); Api trackerApi = token.api()) {
                trackerApi.getSamples(SampleQuery.all());
                String upload = trackerApi.upload("sleep.csv", "night,hours\n1,7.5\n");
                Model credentials = trackerApi.getUploadToken();

                List<Model> grants = tool.getGrants().getList("grants").models();
                Model trackerGrant = grants.stream().filter(g -> g.getString("client_id").equals(tracker.id())).findFirst().orElseThrow();
                assertEquals("Sleep tracker", trackerGrant.getString("client_name"));
                assertEquals(Set.of("samples", "files"), Set.of(trackerGrant.getString("scope").split(" ")));
                assertNotNull(trackerGrant.getString("last_used_at"), "when it last used the grant, from the audit trail");
                assertEquals(2, grants.size());

                assertEquals(true, tool.revokeGrant(tracker.id()).getBoolean("revoked"));
                assertEquals(403, assertThrows(ApiException.class, () -> trackerApi.getSamples(SampleQuery.all())).code(),
                        "its access token stops at once");
                assertThrows(ApiException.class, () -> tracker.oauth2().exchangeRefreshToken(token.refreshToken()), "its refresh token too");
                assertEquals(42001, CredentialLifetimesTest.uploadCode(trackerApi, credentials), "its upload credentials too");
                assertEquals(41001, assertThrows(ApiException.class, () -> tool.revokeGrant(tracker.id())).code(), "nothing left to revoke");
                assertEquals(1, tool.getGrants().getList("grants").models().size(), "the other application stays");
                tool.getSamples(SampleQuery.all());
                assertNotNull(upload);
            }
            // Taken back, so asked again.
            assertEquals(200, browser.get(tracker.oauth2().getAuthorizationUrl(REDIRECT, "s4", List.of("samples"))).statusCode());

            // An application without the grants scope cannot see or cut off the others.
            AccessToken plain = allowed(tracker.oauth2(), browser, alice, "s5", List.of("samples"));
            try (Api trackerApi = plain.api()) {
                ApiException refused = assertThrows(ApiException.class, trackerApi::getGrants);
                assertEquals(401, refused.code(), refused.getMessage());
                assertEquals(401, assertThrows(ApiException.class, () -> trackerApi.revokeGrant(console.id())).code());
            }
            tracker.oauth2().close();
            console.oauth2().close();
        }
    }

    /**
     * An application that registered a person's sample reads it with its client-credentials token too;
     * the person's revocation ends that as well, while the person still sees the sample.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void revokingAGrantEndsTheApplicationsClientAccessToThePersonsSamples(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person alice = Identity.user(s, "sampled", "sampled@example.org");
            Identity.Client lab = Identity.confidentialClient(s);
            App console = app(s, "Omix tool");
            String project = new io.omix.server.samples.SampleStore(Identity.platform(s)).createProject("cohort", 1, "Omix", "Lab", "d").projectId();
            LoginPage browser = new LoginPage();
            try (OAuth2 labAuth = OAuth2.builder(lab.id(), lab.secret()).endpoint(s.url()).build()) {
                AccessToken aliceAtLab = allowed(labAuth, browser, alice, "l", List.of("samples"));
                AccessToken own = allowed(console.oauth2(), browser, alice, "c", List.of("grants", "samples"));
                try (Api asAlice = aliceAtLab.api(); Api labItself = labAuth.getCredentialsToken().api(); Api tool = own.api()) {
                    String id = asAlice.registerSample("LAB-1", 11, project).getString("biosample_id");
                    assertEquals(id, labItself.getSample(id).getString("biosample_id"), "the application that registered it reads it");
                    // Another of her samples, registered through her own tool and assigned to the lab by an operator.
                    String assigned = tool.registerSample("LAB-2", 11, project).getString("biosample_id");
                    new io.omix.server.samples.SampleStore(Identity.platform(s)).assignClient(assigned, lab.id());
                    assertEquals(assigned, labItself.getSample(assigned).getString("biosample_id"));
                    // One she registered through the lab, which an operator then assigned to it outright.
                    String reassigned = asAlice.registerSample("LAB-3", 11, project).getString("biosample_id");
                    new io.omix.server.samples.SampleStore(Identity.platform(s)).assignClient(reassigned, lab.id());

                    // A write of the lab's own about the sample, with an Idempotency-Key: its answer is kept for the lab's repeats.
                    RequestOptions once = RequestOptions.idempotencyKey("improve-LAB-1-" + System.nanoTime());
                    assertEquals(id, labItself.with(once).improveSample(id, java.util.Map.of("library_id", "L-1")).getString("biosample_id"));
                    assertEquals(id, labItself.with(once).improveSample(id, java.util.Map.of("library_id", "L-1")).getString("biosample_id"), "replayed");

                    assertEquals(true, tool.revokeGrant(lab.id()).getBoolean("revoked"));
                    assertEquals(41303, assertThrows(ApiException.class, () -> labItself.with(once).improveSample(id, java.util.Map.of("library_id", "L-1"))).code(),
                            "a repeat of the lab's write is not answered from what was kept while it reached the sample");
                    assertEquals(reassigned, labItself.getSample(reassigned).getString("biosample_id"), "an operator's assignment outlives her grant");
                    assertEquals(41303, assertThrows(ApiException.class, () -> labItself.getSample(id)).code(),
                            "its client token no longer reads the sample it registered for her");
                    assertEquals(id, tool.getSample(id).getString("biosample_id"), "the person still does");
                    assertEquals(assigned, labItself.getSample(assigned).getString("biosample_id"), "what an operator assigned stays");
                    assertEquals(41001, assertThrows(ApiException.class, () -> tool.revokeGrant(lab.id())).code(), "nothing left to revoke");
                    // An operator takes back what an operator gave: the lab's own token stops reading the sample at once.
                    io.omix.server.samples.SampleStore store = new io.omix.server.samples.SampleStore(Identity.platform(s));
                    assertTrue(store.unassignClient(assigned, lab.id()));
                    assertEquals(41303, assertThrows(ApiException.class, () -> labItself.getSample(assigned)).code(), "unassigned");
                    assertEquals(assigned, tool.getSample(assigned).getString("biosample_id"), "hers all the same");
                    assertFalse(store.unassignClient(assigned, lab.id()), "nothing left to take back");
                }
            }
            console.oauth2().close();
        }
    }
    /**
     * A sample a person registered through an application is the application's to read with its own token only as far
     * as her consent goes: asked for samples only, the application does not read the sample's variants or streams with
     * its client-credentials token, whatever scopes the client holds; once she allows variants too, it does. An
     * operator's assignment lifts the hold.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void anApplicationsOwnTokenReadsWhatAPersonRegisteredThroughItOnlyAsFarAsHerConsentGoes(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Identity.Person alice = Identity.user(s, "consenting", "consenting@example.org");
            Identity.Client lab = Identity.confidentialClient(s);
            String project = new io.omix.server.samples.SampleStore(Identity.platform(s)).createProject("cohort", 1, "Omix", "Lab", "d").projectId();
            LoginPage browser = new LoginPage();
            try (OAuth2 labAuth = OAuth2.builder(lab.id(), lab.secret()).endpoint(s.url()).build()) {
                AccessToken aliceAtLab = allowed(labAuth, browser, alice, "a", List.of("samples"));
                try (Api asAlice = aliceAtLab.api(); Api labItself = labAuth.getCredentialsToken().api()) {
                    String id = asAlice.registerSample("CONSENT-1", 11, project).getString("biosample_id");
                    assertEquals(id, labItself.getSample(id).getString("biosample_id"), "she allowed samples: the application reads the sample");
                    assertEquals(List.of(id), ids(labItself), "and lists it");
                    assertEquals(41303, assertThrows(ApiException.class, () -> labItself.getVariants(id, "rs671")).code(),
                            "not its variants: she never allowed them, though the client may hold the scope");
                    Model overview = labItself.getOverview(id);
                    assertFalse(overview.containsKey("variants"), "the overview leaves out what she did not allow");
                    assertFalse(overview.containsKey("streams"));

                    allowed(labAuth, browser, alice, "b", List.of("samples", "variants")).api().close();
                    assertEquals(1, labItself.getVariants(id, "rs671").size(), "she allowed variants: the application reads them (none imported)");
                    assertTrue(labItself.getOverview(id).containsKey("variants"));
                    assertFalse(labItself.getOverview(id).containsKey("streams"));

                    new io.omix.server.samples.SampleStore(Identity.platform(s)).assignClient(id, lab.id());
                    assertTrue(labItself.getOverview(id).containsKey("streams"), "an operator's assignment gives the client's own scopes");
                }
            }
        }
    }

    /**
     * What the person holds back or takes back, the application's own token loses too: a SMART consent to read her
     * Observations does not let it add them; her erasure of a shared sample, an operator's unbinding of her, and her
     * revocation each end its access, and after a revocation its registrations learn nothing of her samples.
     */
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void whatThePersonHoldsOrTakesBackTheApplicationsOwnTokenLosesToo(String kind) throws Exception {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            var platform = Identity.platform(s);
            Identity.Person alice = Identity.user(s, "holding", "holding@example.org");
            Identity.Person bob = Identity.user(s, "sharing", "sharing@example.org");
            Identity.Client lab = Identity.confidentialClient(s);
            var samples = new io.omix.server.samples.SampleStore(platform);
            var consents = new io.omix.server.oauth.ConsentStore(platform);
            String project = samples.createProject("cohort", 1, "Omix", "Lab", "d").projectId();
            try (OAuth2 labAuth = OAuth2.builder(lab.id(), lab.secret()).endpoint(s.url()).build();
                 Api labItself = labAuth.getCredentialsToken().api();
                 Api asAlice = Api.builder(Identity.userToken(s, lab, alice.userId(), "samples streams").accessToken()).endpoint(s.url()).build();
                 Api own = Api.builder(Identity.userToken(s, Identity.confidentialClient(s), alice.userId(), "grants samples").accessToken())
                         .endpoint(s.url()).build()) {
                String first = asAlice.registerSample("HOLD-1", 11, project).getString("biosample_id");
                consents.remember(alice.userId(), lab.id(), Set.of("patient/Observation.rs"));
                ApiException held = assertThrows(ApiException.class, () -> labItself.writePhenotype(first, WebhookTest.HEART_RATE, "2026-01-01", 61, false));
                assertEquals(401, held.code(), "she allowed reading her Observations: its own token adds none");
                assertEquals(first, labItself.improveSample(first, java.util.Map.of("library_id", "L-1")).getString("biosample_id"),
                        "what she allowed of Observations says nothing of the sample, which she allowed with samples");
                consents.remember(alice.userId(), lab.id(), Set.of("patient/Observation.c"));
                assertNotNull(labItself.writePhenotype(first, WebhookTest.HEART_RATE, "2026-01-01", 61, false).getString("stream_id"));

                samples.bindUser(first, bob.userId());
                own.deleteSample(first);
                assertEquals(41303, assertThrows(ApiException.class, () -> labItself.getSample(first)).code(),
                        "she erased her part of a shared sample: the application's access through her goes");

                String second = asAlice.registerSample("HOLD-2", 11, project).getString("biosample_id");
                assertEquals(second, labItself.getSample(second).getString("biosample_id"));
                assertTrue(samples.unbindUser(second, alice.userId()));
                assertEquals(41303, assertThrows(ApiException.class, () -> labItself.getSample(second)).code(),
                        "unbound from her: not hers to consent for any more");

                String third = asAlice.registerSample("HOLD-3", 11, project).getString("biosample_id");
                assertEquals(true, own.revokeGrant(lab.id()).getBoolean("revoked"));
                // Before, the duplicate check answered 41001 ("is registered already"): her sample was still there.
                assertNotNull(labItself.registerSample("HOLD-3", 11, project).getString("biosample_id"),
                        "a registration of her external id tells the application nothing of her sample");
                assertEquals(third, own.getSample(third).getString("biosample_id"), "which is still hers");
            }
        }
    }

    private static List<String> ids(Api api) {
        List<String> out = new java.util.ArrayList<>();
        for (Model m : api.samples(SampleQuery.builder().build())) out.add(m.getString("biosample_id"));
        return out;
    }
}
