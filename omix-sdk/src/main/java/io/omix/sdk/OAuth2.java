package io.omix.sdk;

import io.omix.sdk.internal.ApiRequest;
import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Client of the platform's OAuth2 authorization server, for one client application.
 * Thread-safe; close it to release its connections.
 */
public final class OAuth2 implements AutoCloseable {
    private final String clientId;
    private final String clientSecret;
    private final HttpTransport transport;

    private OAuth2(String clientId, String clientSecret, ClientConfig config) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret;
        this.transport = new HttpTransport(config);
    }

    /** A view onto a root client's pool. */
    OAuth2(String clientId, String clientSecret, HttpTransport pool) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret;
        this.transport = new HttpTransport(pool, null);
    }

    /** A client with the default settings (local endpoint, 3 retries, 18 s timeout). */
    public OAuth2(String clientId, String clientSecret) {
        this(clientId, clientSecret, builder(clientId, clientSecret).config());
    }

    /** @param clientSecret null for public clients (they use PKCE instead) */
    public static Builder builder(String clientId, String clientSecret) {
        return new Builder(clientId, clientSecret);
    }

    public static final class Builder extends ClientBuilder<Builder, OAuth2> {
        private final String clientId;
        private final String clientSecret;

        private Builder(String clientId, String clientSecret) {
            super(Duration.ofSeconds(18));
            this.clientId = clientId;
            this.clientSecret = clientSecret;
        }

        @Override
        public OAuth2 build() {
            return new OAuth2(clientId, clientSecret, config());
        }
    }

    public String clientId() {
        return clientId;
    }

    /** This client's settings (read-only). */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /** True when the platform answers {@code /ping} with a 2xx status; never throws. */
    public boolean alive() {
        return Ping.alive(transport);
    }

    /**
     * Where to send a person to log in and consent (the open platform's get_authorization_url). After
     * consenting they come back to {@code redirectUri?code=...&state=...}.
     *
     * @param state  an unguessable value to check when they come back (CSRF protection), or null
     * @param scopes the scopes asked for, or null/empty for all the client may have
     */
    public String getAuthorizationUrl(String redirectUri, String state, List<String> scopes) {
        return getAuthorizationUrl(redirectUri, state, scopes, null);
    }

    /** As {@link #getAuthorizationUrl(String, String, List)}, with a PKCE challenge (required for public clients). */
    public String getAuthorizationUrl(String redirectUri, String state, List<String> scopes, Pkce pkce) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", clientId);
        q.put("response_type", "code");
        q.put("redirect_uri", Objects.requireNonNull(redirectUri, "redirectUri"));
        if (scopes != null && !scopes.isEmpty()) q.put("scope", String.join(" ", scopes));
        if (state != null) q.put("state", state);
        if (pkce != null) {
            q.put("code_challenge", pkce.challenge());
            q.put("code_challenge_method", "S256");
        }
        String endpoint = transport.config().endpoint().toString().replaceAll("/+$", "");
        return endpoint + "/oauth2/authorize?" + q.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("&"));
    }

    /** Exchanges the code a redirect brought for tokens; the code is then spent. */
    public AccessToken exchangeAuthorizationCode(String code, String redirectUri) {
        return exchangeAuthorizationCode(code, redirectUri, null);
    }

    /** As {@link #exchangeAuthorizationCode(String, String)}, proving possession of the PKCE verifier. */
    public AccessToken exchangeAuthorizationCode(String code, String redirectUri, String codeVerifier) {
        return token(tokenRequest("authorization_code").form("code", code).form("redirect_uri", redirectUri)
                .form("code_verifier", codeVerifier));
    }

    /** New tokens for a refresh token; the old refresh token dies (rotation). */
    public AccessToken exchangeRefreshToken(String refreshToken) {
        return token(tokenRequest("refresh_token").form("refresh_token", refreshToken));
    }

    /** A token acting for this client application itself (client-credentials grant). */
    public AccessToken getCredentialsToken() {
        return getCredentialsToken(null);
    }

    public AccessToken getCredentialsToken(List<String> scopes) {
        return token(tokenRequest("client_credentials").form("scope", scopes == null || scopes.isEmpty() ? null : String.join(" ", scopes)));
    }

    /** Metadata of one of this client's tokens: {@code active}, {@code client_id}, {@code scope}, {@code exp}... */
    public Model introspect(String token) {
        return Answers.model(transport.envelope(ApiRequest.post("/oauth2/introspect").form("token", token)
                .form("client_id", clientId).form("client_secret", clientSecret)));
    }

    /** Revokes one of this client's tokens (a refresh token takes its whole family with it). */
    public void revoke(String token) {
        transport.envelope(ApiRequest.post("/oauth2/revoke").form("token", token)
                .form("client_id", clientId).form("client_secret", clientSecret));
    }

    private ApiRequest tokenRequest(String grantType) {
        return ApiRequest.post("/oauth2/access_token").sendOnce().form("client_id", clientId).form("client_secret", clientSecret)
                .form("grant_type", grantType);
    }

    private AccessToken token(ApiRequest request) {
        Instant sent = Instant.now();
        return new AccessToken(this, Answers.model(transport.envelope(request)), sent);
    }

    /** An open-platform client acting with {@code accessToken}, sharing this client's settings, connections and threads. */
    public Api getApi(String accessToken) {
        // A view onto this client's pool: no threads or connections of its own (it keeps the pool open while it is).
        return new Api(TokenSupply.fixed(java.util.Objects.requireNonNull(accessToken, "accessToken")), transport);
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "OAuth2(clientId=" + clientId + ", endpoint=" + transport.config().endpoint() + ")";
    }
}
