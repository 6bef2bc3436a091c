package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.Objects;

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

    public ClientConfig config() {
        return transport.config();
    }

    /** True when the platform answers {@code /ping} with a 2xx status; never throws. */
    public boolean alive() {
        return Ping.alive(transport);
    }

    /** An open-platform client acting with {@code accessToken}, with this client's settings and its own connections. */
    public Api getApi(String accessToken) {
        return new Api(accessToken, transport.config());
    }

    @Override
    public void close() {
        transport.close();
    }
}
