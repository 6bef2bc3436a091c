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
}
