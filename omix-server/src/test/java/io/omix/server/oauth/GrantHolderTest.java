package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who holds the grant a link names: a person's grants through any application are all the person's (htsget gives one
 * slice at a time to each holder, so two grants of one person no longer hold two of a server's slots); an application's
 * own grant is the application's.
 */
class GrantHolderTest {
    @ParameterizedTest
    @MethodSource("io.omix.server.testing.TestDatabases#kinds")
    void aPersonsGrantsAreAllThePersons(String kind) {
        try (TestServer s = TestServer.builder().database(kind).start()) {
            Platform platform = s.server().platform();
            ClientStore clients = new ClientStore(platform);
            String first = clients.create("First", List.of("https://first.example/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE, OAuthClient.CLIENT_CREDENTIALS),
                    Set.of("profile"), false, null).client().clientId();
            String second = clients.create("Second", List.of("https://second.example/cb"), Set.of(OAuthClient.AUTHORIZATION_CODE),
                    Set.of("profile"), false, null).client().clientId();
            User person = new UserStore(platform).create("holder", "holder-password-S3cret", User.Profile.EMPTY, false);
            TokenStore tokens = new TokenStore(platform);
            String viaFirst = tokens.grantOf(Secrets.hash(tokens.issue(TokenStore.newFamily(), first, person.userId(), OAuthClient.AUTHORIZATION_CODE,
                    "profile", null, true).accessToken())).orElseThrow();
            String viaSecond = tokens.grantOf(Secrets.hash(tokens.issue(TokenStore.newFamily(), second, person.userId(), OAuthClient.AUTHORIZATION_CODE,
                    "profile", null, true).accessToken())).orElseThrow();
            String own = tokens.grantOf(Secrets.hash(tokens.issue(TokenStore.newFamily(), first, null, OAuthClient.CLIENT_CREDENTIALS,
                    "profile", null, false).accessToken())).orElseThrow();
            assertEquals(Optional.of("user:" + person.userId()), tokens.holderOf(viaFirst));
            assertEquals(tokens.holderOf(viaFirst), tokens.holderOf(viaSecond), "two grants, one person");
            assertEquals(Optional.of("client:" + first), tokens.holderOf(own));
            assertEquals(Optional.empty(), tokens.holderOf("t.no-such-family"));
            assertEquals(Optional.empty(), tokens.holderOf("x.what"));
        }
    }
}
