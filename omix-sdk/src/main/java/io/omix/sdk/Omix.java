package io.omix.sdk;

import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;

/**
 * The root client: it owns one HTTP connection pool and its threads, and every surface of the
 * platform is taken from it, sharing them. Views cost nothing to take and need no closing; closing
 * the root closes them all. Thread-safe.
 * <pre>{@code
 * try (Omix omix = Omix.builder().endpoint("http://127.0.0.1:8080").maxRetries(3).build()) {
 *     Api api = omix.openPlatform(ClientCredentials.of(clientId, clientSecret));
 *     PrivateApi partner = omix.privatePlatform(appKey, appSecret);
 *     DatasetsApi datasets = omix.datasetBatches(apiKey, apiSecret);
 * }
 * }</pre>
 */
public final class Omix implements AutoCloseable {
    private final HttpTransport pool;

    private Omix(io.omix.sdk.internal.ClientConfig config) {
        this.pool = new HttpTransport(config);
    }

    /**
     * Starts the settings of a root client.
     *
     * @return a builder with the defaults: local endpoint, 3 retries, 18 s per attempt
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of the root client, shared by every surface taken from it. */
    public static final class Builder extends ClientBuilder<Builder, Omix> {
        private Builder() {
            super(Duration.ofSeconds(18));
        }

        @Override
        public Omix build() {
            return new Omix(config());
        }
    }

    /**
     * Checks that the platform is up: {@code GET /ping}, with the retries the settings allow.
     *
     * @return true when the platform answers with a 2xx status, false otherwise or when it cannot be
     *         reached (never throws)
     */
    public boolean alive() {
        return Ping.alive(pool);
    }

    /**
     * The open platform, acting with {@code credentials}. Renewable credentials fetch their token on
     * the first call and renew it as needed; a token the platform refuses (403) is renewed once and the
     * call tried again.
     *
     * @param credentials a fixed token ({@link Credentials#accessToken(String)}), the application's own
     *                    renewed tokens ({@link ClientCredentials}) or a person's refreshed ones ({@link UserTokens})
     * @return a client of the open platform on this pool (a view: no need to close it)
     */
    public Api openPlatform(Credentials credentials) {
        return new Api(credentials.bind(pool), pool);
    }

    /**
     * The open platform with a fixed access token, which is never renewed: once it expires or is
     * revoked, calls fail with {@link AuthenticationException} (403).
     *
     * @param accessToken an OAuth2 access token of either grant ({@code oat_...})
     * @return a client of the open platform on this pool (a view: no need to close it)
     */
    public Api openPlatform(String accessToken) {
        return openPlatform(Credentials.accessToken(accessToken));
    }

    /**
     * The open platform's OAuth2 endpoints for one client application: authorization URLs, code and
     * refresh-token exchange, client-credentials tokens, introspection and revocation.
     *
     * @param clientId     the client application's id
     * @param clientSecret its secret, or null for a public client (which must use PKCE)
     * @return an OAuth2 client on this pool (a view: no need to close it)
     */
    public OAuth2 oauth2(String clientId, String clientSecret) {
        return new OAuth2(clientId, clientSecret, pool);
    }

    /**
     * The private platform, as the app with this key. Every request is signed with the secret
     * (HMAC-SHA256, a fresh timestamp and nonce per attempt); the secret itself is never sent.
     *
     * @param appKey    the private app's key
     * @param appSecret the private app's secret
     * @return a client of the private platform on this pool (a view: no need to close it)
     */
    public PrivateApi privatePlatform(String appKey, String appSecret) {
        return new PrivateApi(appKey, appSecret, pool);
    }

    /**
     * The dataset batches API, with this API key ({@code X-API-KEY} and {@code X-API-SECRET} on every request).
     *
     * @param apiKey    the dataset API key ({@code omix admin apikey create} makes one)
     * @param apiSecret its secret
     * @return a client of the dataset batches API on this pool (a view: no need to close it)
     */
    public DatasetsApi datasetBatches(String apiKey, String apiSecret) {
        return new DatasetsApi(apiKey, apiSecret, pool);
    }

    /** Closes the pool, and with it every surface taken from this client. */
    @Override
    public void close() {
        pool.closePool();
    }

    @Override
    public String toString() {
        return "Omix(endpoint=" + pool.config().endpoint() + ")";
    }
}
