package io.omix.sdk;

import io.omix.server.Platform;
import io.omix.server.apps.DatasetKeyStore;
import io.omix.server.apps.PrivateAppStore;
import io.omix.server.common.auth.Scope;
import io.omix.server.oauth.ClientStore;
import io.omix.server.oauth.OAuthClient;
import io.omix.server.oauth.TokenStore;
import io.omix.server.testing.TestServer;
import io.omix.server.users.User;
import io.omix.server.users.UserStore;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Creates users, clients, apps and keys the way `omix admin` does, for tests. */
final class Identity {
    static final String REDIRECT = "http://127.0.0.1:8765/callback";

    record Person(String userId, String username, String password) {}

    record Client(String id, String secret) {}

    private Identity() {}

    static Platform platform(TestServer server) {
        return server.server().platform();
    }

    static Person user(TestServer server, String username, String email) {
        String password = "pw-" + username + "-S3cret!";
        User u = new UserStore(platform(server)).create(username, password, new User.Profile("nick-" + username, email,
                "17300000001", 1, LocalDate.of(1990, 5, 17), null, "深圳", "PIC-" + username), false);
        return new Person(u.userId(), username, password);
    }

    static Set<String> allScopes() {
        Set<String> s = new LinkedHashSet<>();
        Arrays.stream(Scope.values()).forEach(x -> s.add(x.id()));
        return s;
    }

    static Client confidentialClient(TestServer server) {
        ClientStore.Created c = new ClientStore(platform(server)).create("Test app", List.of(REDIRECT),
                Set.of("authorization_code", "client_credentials"), allScopes(), false, null);
        return new Client(c.client().clientId(), c.secret());
    }

    static Client publicClient(TestServer server) {
        ClientStore.Created c = new ClientStore(platform(server)).create("Native app", List.of(REDIRECT),
                Set.of("authorization_code"), allScopes(), true, null);
        return new Client(c.client().clientId(), null);
    }

    /** The tokens the authorization-code grant would issue to {@code client} for {@code userId}: an access and a refresh token. */
    static TokenStore.Issued userToken(TestServer server, Client client, String userId, String scope) {
        // The grant records the person's consent before a code is issued; its refresh tokens stand on it.
        new io.omix.server.oauth.ConsentStore(platform(server)).remember(userId, client.id(), new LinkedHashSet<>(Arrays.asList(scope.split(" "))));
        return new TokenStore(platform(server)).issue(TokenStore.newFamily(), client.id(), userId, OAuthClient.AUTHORIZATION_CODE, scope, null, true);
    }

    /** A new user who operates the platform, and an access token of theirs with every scope, admin included. */
    static String operatorToken(TestServer server, String username) {
        User operator = new UserStore(platform(server)).create(username, username + "-password-S3cret", User.Profile.EMPTY, true);
        return userToken(server, confidentialClient(server), operator.userId(), String.join(" ", allScopes())).accessToken();
    }

    static Client app(TestServer server, String namespace) {
        PrivateAppStore.Created a = new PrivateAppStore(platform(server)).create("Partner " + namespace, namespace);
        return new Client(a.app().appKey(), a.appSecret());
    }

    static Client datasetKey(TestServer server) {
        DatasetKeyStore.Created k = new DatasetKeyStore(platform(server)).create("Datasets");
        return new Client(k.key().apiKey(), k.apiSecret());
    }
}
