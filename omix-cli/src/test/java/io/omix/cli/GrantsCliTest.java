package io.omix.cli;

import io.omix.sdk.ApiException;
import io.omix.sdk.Api;
import io.omix.sdk.SampleQuery;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.ConsentStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code omix grants list|revoke}: a person lists the applications they authorized and takes one back from a script. */
class GrantsCliTest {
    @Test
    void aPersonListsAndRevokesFromTheCommandLine() throws Exception {
        try (TestServer s = TestServer.start()) {
            var platform = s.server().platform();
            User person = new UserStore(platform).create("cli-person", "cli-person-pass-1", new User.Profile(null, null, null, null, null, null, null, null), false);
            Set<String> scopes = new LinkedHashSet<>(io.omix.server.common.auth.Scope.defaults());
            scopes.add("grants");
            ClientStore clients = new ClientStore(platform);
            String tool = clients.create("Omix CLI", List.of("http://127.0.0.1:8765/callback"), Set.of(OAuthClient.AUTHORIZATION_CODE), scopes, false, null)
                    .client().clientId();
            String app = clients.create("Step counter", List.of("http://127.0.0.1:9/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE), scopes, false, null)
                    .client().clientId();
            ConsentStore consents = new ConsentStore(platform);
            consents.remember(person.userId(), tool, Set.of("grants"));
            consents.remember(person.userId(), app, Set.of("samples"));
            TokenStore tokens = new TokenStore(platform);
            String own = tokens.issue(TokenStore.newFamily(), tool, person.userId(), OAuthClient.AUTHORIZATION_CODE, "grants", null, false).accessToken();
            String appToken = tokens.issue(TokenStore.newFamily(), app, person.userId(), OAuthClient.AUTHORIZATION_CODE, "samples", null, true).accessToken();

            AdminAndLoginTest.Run listed = AdminAndLoginTest.omix("grants", "list", "--endpoint", s.url(), "--token", own);
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().contains(app) && listed.out().contains("Step counter") && listed.out().contains("samples"), listed.out());

            AdminAndLoginTest.Run unconfirmed = AdminAndLoginTest.omix("grants", "revoke", app, "--endpoint", s.url(), "--token", own);
            assertEquals(2, unconfirmed.exit(), "no terminal, no --yes: nothing done");
            try (Api api = Api.builder(appToken).endpoint(s.url()).build()) {
                api.getSamples(SampleQuery.all());
                AdminAndLoginTest.Run revoked = AdminAndLoginTest.omix("grants", "revoke", app, "--yes", "--endpoint", s.url(), "--token", own);
                assertEquals(0, revoked.exit(), revoked.err());
                assertEquals(403, assertThrows(ApiException.class, () -> api.getSamples(SampleQuery.all())).code());
            }
            AdminAndLoginTest.Run again = AdminAndLoginTest.omix("grants", "revoke", app, "--yes", "--endpoint", s.url(), "--token", own);
            assertEquals(1, again.exit());
            assertTrue(again.err().contains("41001"), again.err());
        }
    }

    @Test
    void aPersonKeepsTheirSamplesOutOfTheBeaconFromTheCommandLine() throws Exception {
        try (TestServer s = TestServer.start()) {
            var platform = s.server().platform();
            User person = new UserStore(platform).create("beacon-person", "beacon-person-pass-1", User.Profile.EMPTY, false);
            String tool = new ClientStore(platform).create("Omix CLI", List.of("http://127.0.0.1:8765/callback"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    Set.of("grants", "samples"), false, null).client().clientId();
            new ConsentStore(platform).remember(person.userId(), tool, Set.of("grants", "samples"));
            TokenStore tokens = new TokenStore(platform);
            String own = tokens.issue(TokenStore.newFamily(), tool, person.userId(), OAuthClient.AUTHORIZATION_CODE, "grants", null, false).accessToken();
            String samplesOnly = tokens.issue(TokenStore.newFamily(), tool, person.userId(), OAuthClient.AUTHORIZATION_CODE, "samples", null, false).accessToken();

            AdminAndLoginTest.Run shown = AdminAndLoginTest.omix("privacy", "beacon", "--endpoint", s.url(), "--token", own);
            assertEquals(0, shown.exit(), shown.err());
            assertTrue(shown.out().startsWith("not opted out"), shown.out());
            AdminAndLoginTest.Run out = AdminAndLoginTest.omix("privacy", "beacon", "--opt-out", "--endpoint", s.url(), "--token", own);
            assertEquals(0, out.exit(), out.err());
            assertTrue(out.out().startsWith("opted out"), out.out());
            assertTrue(new UserStore(platform).beaconOptOut(person.userId()));
            AdminAndLoginTest.Run both = AdminAndLoginTest.omix("privacy", "beacon", "--opt-out", "--opt-in", "--endpoint", s.url(), "--token", own);
            assertEquals(2, both.exit(), "one choice at a time");
            AdminAndLoginTest.Run narrow = AdminAndLoginTest.omix("privacy", "beacon", "--opt-in", "--endpoint", s.url(), "--token", samplesOnly);
            assertEquals(1, narrow.exit(), "an application's token without grants changes nothing");
            assertTrue(new UserStore(platform).beaconOptOut(person.userId()));
            AdminAndLoginTest.Run in = AdminAndLoginTest.omix("privacy", "beacon", "--opt-in", "--endpoint", s.url(), "--token", own);
            assertEquals(0, in.exit(), in.err());
            assertTrue(!new UserStore(platform).beaconOptOut(person.userId()));
        }
    }

    @Test
    void anOperatorErasesASampleAndAUserFromTheCommandLine() throws Exception {
        try (TestServer s = TestServer.start()) {
            var platform = s.server().platform();
            User person = new UserStore(platform).create("erased-person", "erased-person-pass-1", User.Profile.EMPTY, false);
            var samples = new io.omix.server.samples.SampleStore(platform);
            String project = samples.createProject("cli erasure", 1, null, null, null).projectId();
            String lab = new ClientStore(platform).create("Lab app", List.of("http://127.0.0.1:9/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    Set.of("samples"), false, null).client().clientId();
            new ConsentStore(platform).remember(person.userId(), lab, Set.of("samples"));
            io.omix.server.common.auth.Caller caller = io.omix.server.common.auth.Caller.userToken(lab, person.userId(), Set.of("samples"));
            String first = samples.register(caller, new io.omix.server.samples.SampleStore.Registration("E-1", 11, project, false, 1, null, java.util.Map.of()));
            String second = samples.register(caller, new io.omix.server.samples.SampleStore.Registration("E-2", 11, project, false, 1, null, java.util.Map.of()));
            String dir = s.dataDir().toString();

            AdminAndLoginTest.Run unconfirmed = AdminAndLoginTest.omix("admin", "--data-dir", dir, "sample", "delete", first);
            assertEquals(2, unconfirmed.exit(), "no terminal and no --yes: refused");
            assertTrue(samples.find(first).isPresent());
            AdminAndLoginTest.Run sample = AdminAndLoginTest.omix("admin", "--data-dir", dir, "sample", "delete", first, "--yes");
            assertEquals(0, sample.exit(), sample.err());
            assertTrue(samples.find(first).isEmpty());
            AdminAndLoginTest.Run missing = AdminAndLoginTest.omix("admin", "--data-dir", dir, "sample", "delete", first, "--yes");
            assertEquals(2, missing.exit());

            AdminAndLoginTest.Run user = AdminAndLoginTest.omix("admin", "--data-dir", dir, "user", "delete", "erased-person", "--yes");
            assertEquals(0, user.exit(), user.err());
            assertTrue(user.out().contains(second), user.out());
            assertTrue(new UserStore(platform).findByUsername("erased-person").isEmpty());
            assertTrue(samples.find(second).isEmpty());
            assertTrue(platform.audit().list(new io.omix.server.audit.AuditLog.Query(null, null, null, null, null, "omix admin user delete", 0, 10))
                    .get(0).resources().contains("username=erased-person"), "the operator's erasure is in the trail");
        }
    }
}
