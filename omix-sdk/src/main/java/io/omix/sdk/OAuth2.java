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
 * Client of the open platform's OAuth2 authorization server, for one client application: the
 * authorization-code grant (with PKCE), refresh-token exchange, the client-credentials grant,
 * introspection and revocation. Token requests are sent again only when the connection could not be
 * made at all (a code or refresh token sent twice would end its token family). Refusals come as
 * {@link InvalidParameterException} with code 400 and the RFC 6749 error in
 * {@code dataModel().getString("error")}. Thread-safe; close it to release its connections.
 * <pre>{@code
 * try (OAuth2 oauth2 = OAuth2.builder(clientId, clientSecret).endpoint("http://127.0.0.1:8080").build()) {
 *     AccessToken appToken = oauth2.getCredentialsToken(List.of("samples"));
 * }
 * }</pre>
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

    /**
     * A client with the default settings (local endpoint, 3 retries, 18 s timeout).
     *
     * @param clientId     the client application's id
     * @param clientSecret its secret, or null for a public client (which must use PKCE)
     * @throws NullPointerException when {@code clientId} is null
     */
    public OAuth2(String clientId, String clientSecret) {
        this(clientId, clientSecret, builder(clientId, clientSecret).config());
    }

    /**
     * Starts the settings of a client with its own connection pool (prefer {@link Omix#oauth2} in new code).
     *
     * @param clientId     the client application's id
     * @param clientSecret its secret, or null for public clients (they use PKCE instead)
     * @return a builder with the defaults: local endpoint, 3 retries, 18 s timeout
     */
    public static Builder builder(String clientId, String clientSecret) {
        return new Builder(clientId, clientSecret);
    }

    /** Settings of an {@link OAuth2} client; {@link #build()} makes it. */
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

    /**
     * The client application this client acts for.
     *
     * @return the OAuth2 client id
     */
    public String clientId() {
        return clientId;
    }

    /**
     * This client's settings.
     *
     * @return the settings its builder set (read-only)
     */
    public Settings config() {
        return Settings.of(transport.config());
    }

    /**
     * Checks that the platform is up: {@code GET /ping}, with the retries the settings allow.
     *
     * @return true when the platform answers with a 2xx status, false otherwise or when it cannot be
     *         reached (never throws)
     */
    public boolean alive() {
        return Ping.alive(transport);
    }

    /**
     * Where to send a person to log in and consent (the open platform's get_authorization_url). After
     * consenting they come back to {@code redirectUri?code=...&state=...}.
     *
     * @param redirectUri one of the client's registered redirect URIs, exactly (https, or http on a loopback host)
     * @param state       an unguessable value to check when they come back (CSRF protection), or null
     * @param scopes      the scopes asked for, or null/empty for all the client may have
     * @return the {@code /oauth2/authorize} URL on this client's endpoint; nothing is sent
     * @throws NullPointerException when {@code redirectUri} is null
     */
    public String getAuthorizationUrl(String redirectUri, String state, List<String> scopes) {
        return getAuthorizationUrl(redirectUri, state, scopes, null);
    }

    /**
     * As {@link #getAuthorizationUrl(String, String, List)}, with a PKCE challenge (S256; required for
     * public clients, optional for confidential ones).
     *
     * @param redirectUri one of the client's registered redirect URIs, exactly
     * @param state       an unguessable value to check when they come back, or null
     * @param scopes      the scopes asked for, or null/empty for all the client may have
     * @param pkce        the challenge to send ({@link Pkce#generate()}), or null for none; keep its
     *                    verifier for {@link #exchangeAuthorizationCode(String, String, String)}
     * @return the {@code /oauth2/authorize} URL on this client's endpoint; nothing is sent
     * @throws NullPointerException when {@code redirectUri} is null
     */
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

    /**
     * Exchanges the code a redirect brought for tokens (the open platform's exchange_authorization_code);
     * the code is then spent. For codes issued without a PKCE challenge.
     *
     * @param code        the {@code code} parameter of the redirect (single use, valid 10 minutes)
     * @param redirectUri the redirect URI the authorization URL named, exactly
     * @return the tokens: access token, refresh token, lifetime and the scopes granted
     * @throws InvalidParameterException when the authorization server refuses the request (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public AccessToken exchangeAuthorizationCode(String code, String redirectUri) {
        return exchangeAuthorizationCode(code, redirectUri, null);
    }

    /**
     * As {@link #exchangeAuthorizationCode(String, String)}, proving possession of the PKCE verifier.
     *
     * @param code         the {@code code} parameter of the redirect (single use, valid 10 minutes)
     * @param redirectUri  the redirect URI the authorization URL named, exactly
     * @param codeVerifier the verifier of the challenge the authorization URL carried ({@link Pkce#verifier()}),
     *                     or null when it carried none
     * @return the tokens: access token, refresh token, lifetime and the scopes granted
     * @throws InvalidParameterException when the authorization server refuses the request (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public AccessToken exchangeAuthorizationCode(String code, String redirectUri, String codeVerifier) {
        return token(tokenRequest("authorization_code").form("code", code).form("redirect_uri", redirectUri)
                .form("code_verifier", codeVerifier));
    }

    /**
     * New tokens for a refresh token (the open platform's exchange_refresh_token); the old refresh token
     * dies (rotation), and presenting it again revokes its whole family.
     *
     * @param refreshToken the refresh token ({@code ort_...}) of the latest token answer
     * @return the new tokens, with a new refresh token to store
     * @throws InvalidParameterException when the authorization server refuses the request (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public AccessToken exchangeRefreshToken(String refreshToken) {
        return token(tokenRequest("refresh_token").form("refresh_token", refreshToken));
    }

    /**
     * A token acting for this client application itself (the client-credentials grant, the open
     * platform's get_credentials_token), with every scope the client may have but {@code admin} and
     * {@code grants}. It has no refresh token: ask again when it expires, or use {@link ClientCredentials}.
     *
     * @return the token answer
     * @throws InvalidParameterException when the authorization server refuses the request (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public AccessToken getCredentialsToken() {
        return getCredentialsToken(null);
    }

    /**
     * A token acting for this client application itself, with only {@code scopes}.
     *
     * @param scopes the scopes to ask for, each one the client is allowed; null or empty for all of them
     * @return the token answer (no refresh token)
     * @throws InvalidParameterException when the authorization server refuses the request (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public AccessToken getCredentialsToken(List<String> scopes) {
        return token(tokenRequest("client_credentials").form("scope", scopes == null || scopes.isEmpty() ? null : String.join(" ", scopes)));
    }

    /**
     * Asks the authorization server about one of this client's tokens (RFC 7662 introspection).
     *
     * @param token an access or refresh token this client holds
     * @return {@code {active, client_id, scope, token_type, grant_type, sub, iat, exp}}; just
     *         {@code {active: false}} for an unknown, expired or revoked token, or another client's
     * @throws InvalidParameterException when the authorization server refuses this client (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
    public Model introspect(String token) {
        return Answers.model(transport.envelope(ApiRequest.post("/oauth2/introspect").form("token", token)
                .form("client_id", clientId).form("client_secret", clientSecret)));
    }

    /**
     * What the platform says of {@code token} (RFC 7662 introspection), typed.
     *
     * @param token an access or refresh token
     * @return whether it is active, and for what
     * @throws OmixException when the client's own credentials are refused
     */
    public TokenInfo inspect(String token) {
        return TokenInfo.of(introspect(token));
    }

    /**
     * Revokes one of this client's tokens at once (RFC 7009); a refresh token takes its whole family
     * (every access and refresh token descended from the same code) with it. An unknown token is no error.
     *
     * @param token an access or refresh token this client holds
     * @throws InvalidParameterException when the authorization server refuses this client (code 400; {@code dataModel().getString("error")}
     *                                   is the RFC 6749 error: {@code invalid_grant}, {@code invalid_client}, {@code invalid_scope}, ...)
     */
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

    /**
     * An open-platform client acting with {@code accessToken} (the open platform's get_api), sharing
     * this client's settings, connections and threads. The token is fixed: it is not refreshed.
     *
     * @param accessToken an access token of either grant, e.g. {@link AccessToken#accessToken()}
     * @return a client of the open platform; closing it leaves this client's pool open
     * @throws NullPointerException when {@code accessToken} is null
     */
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
