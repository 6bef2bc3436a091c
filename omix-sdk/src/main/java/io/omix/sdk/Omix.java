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

    /** A builder with the defaults: local endpoint, 3 retries, 18 s per attempt. */
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

    /** True when the platform answers {@code /ping}; never throws. */
    public boolean alive() {
        return Ping.alive(pool);
    }

    /** The open platform, acting with {@code credentials} (a fixed token, the application's own renewed tokens, or a person's refreshed ones). */
    public Api openPlatform(Credentials credentials) {
        return new Api(credentials.bind(pool), pool);
    }

    /** The open platform with a fixed access token. */
    public Api openPlatform(String accessToken) {
        return openPlatform(Credentials.accessToken(accessToken));
    }

    /** The open platform's OAuth2 endpoints for one client application (authorization URLs, code exchange, introspection). */
    public OAuth2 oauth2(String clientId, String clientSecret) {
        return new OAuth2(clientId, clientSecret, pool);
    }

    /** The private platform, as the app with this key (every request signed with its secret). */
    public PrivateApi privatePlatform(String appKey, String appSecret) {
        return new PrivateApi(appKey, appSecret, pool);
    }

    /** The dataset batches API, with this API key. */
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
