package io.omix.server.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.server.Capability;
import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.http.Routes;
import io.omix.server.demo.DemoData;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The OAuth2 authorization server: {@code /oauth2/*}, and bearer-token authentication for every other capability. */
public final class OAuthCapability implements Capability {
    /** Where {@code omix login} listens for the redirect; the demo client registers it. */
    public static final String CLI_REDIRECT_URI = "http://127.0.0.1:8765/callback";

    private final ClientStore clients;
    private final io.omix.server.common.db.Jdbc jdbc;
    private final AuthorizePage authorizePage;
    private final TokenEndpoint tokenEndpoint;
    private final ClientAdmin admin;
    private final GrantRoutes grants;

    public OAuthCapability(Platform platform) {
        this.clients = new ClientStore(platform);
        this.jdbc = platform.database().jdbc();
        CodeStore codes = new CodeStore(platform);
        TokenStore tokens = new TokenStore(platform);
        this.authorizePage = new AuthorizePage(platform, clients, codes);
        this.tokenEndpoint = new TokenEndpoint(platform, clients, codes, tokens);
        this.grants = new GrantRoutes(platform);
        this.admin = new ClientAdmin(clients);
        BearerAuthenticator bearer = new BearerAuthenticator(tokens, platform.authenticators().invocations());
        platform.authenticators().register(Access.TOKEN, bearer);
        platform.authenticators().register(Access.USER_TOKEN, bearer);
        platform.authenticators().register(Access.CLIENT_TOKEN, bearer);
        platform.authenticators().register(Access.OPERATOR, bearer);
    }

    @Override
    public void routes(Routes routes) {
        authorizePage.routes(routes);
        tokenEndpoint.routes(routes);
        admin.routes(routes);
        grants.routes(routes);
    }

    @Override
    public void demo(DemoData demo) {
        // The demo app doubles as the first-party tool of the tour (omix login, omix grants): it may ask for grants.
        Set<String> scopes = new LinkedHashSet<>(Scope.defaults());
        scopes.add(Scope.GRANTS.id());
        ClientStore.Created created = clients.create("Omix demo app", List.of(CLI_REDIRECT_URI, "http://localhost:8765/callback"),
                Set.of(OAuthClient.AUTHORIZATION_CODE, OAuthClient.CLIENT_CREDENTIALS), scopes, false, null);
        ObjectNode c = demo.section("oauth_client");
        c.put("client_id", created.client().clientId());
        c.put("client_secret", created.secret());
        c.put("redirect_uri", CLI_REDIRECT_URI);
        c.put("grant_types", "authorization_code client_credentials");
        c.put("scope", String.join(" ", scopes));
    }

    /** Tokens and codes a day past their expiry (expired ones are refused anyway; kept a day for investigations). */
    @Override
    public java.util.List<io.omix.server.housekeeping.Housekeeping.Job> housekeeping() {
        return java.util.List.of(
                new io.omix.server.housekeeping.Housekeeping.Job("oauth_tokens", (now, r) ->
                        jdbc.update("DELETE FROM oauth_tokens WHERE expires_at < ?", now.minus(r.expiredCredentials()))),
                new io.omix.server.housekeeping.Housekeeping.Job("oauth_codes", (now, r) ->
                        jdbc.update("DELETE FROM oauth_codes WHERE expires_at < ?", now.minus(r.expiredCredentials()))));
    }
}
