package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.Objects;

/**
 * Client of the open platform (seed 004), acting with one OAuth2 access token.
 * Thread-safe; close it to release its connections.
 *
 * <pre>{@code
 * try (Api api = Api.builder(accessToken).endpoint("http://localhost:8080").build()) {
 *     System.out.println(api.alive());
 * }
 * }</pre>
 */
public final class Api implements AutoCloseable {
    private final String accessToken;
    private final HttpTransport transport;

    Api(String accessToken, ClientConfig config) {
        this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        this.transport = new HttpTransport(config);
    }

    /** A client with the default settings (local endpoint, 3 retries, 18 s timeout). */
    public Api(String accessToken) {
        this(accessToken, builder(accessToken).config());
    }

    public static Builder builder(String accessToken) {
        return new Builder(accessToken);
    }

    public static final class Builder extends ClientBuilder<Builder, Api> {
        private final String accessToken;

        private Builder(String accessToken) {
            super(Duration.ofSeconds(18));
            this.accessToken = accessToken;
        }

        @Override
        public Api build() {
            return new Api(accessToken, config());
        }
    }

    public String accessToken() {
        return accessToken;
    }

    public ClientConfig config() {
        return transport.config();
    }

    /** True when the platform answers {@code /ping} with a 2xx status; never throws. */
    public boolean alive() {
        return Ping.alive(transport);
    }

    @Override
    public void close() {
        transport.close();
    }
}
