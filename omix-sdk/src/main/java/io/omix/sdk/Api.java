package io.omix.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omix.sdk.internal.ApiRequest;
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
        this.transport = new HttpTransport(config, (request, uri, body, builder) -> builder.header("Authorization", "Bearer " + accessToken));
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

    /**
     * The user's profile (seed 004 get_user): only the fields the token's scopes allow.
     * Authorization-code tokens only. Typed: {@code api.getUser().as(User.class)}.
     */
    public Model getUser() {
        return Answers.model(call(ApiRequest.get("/profile")));
    }

    /** Sends a request with this client's token; the envelope of a successful answer. */
    ObjectNode call(ApiRequest request) {
        return transport.envelope(request);
    }

    @Override
    public String toString() {
        return "Api(endpoint=" + transport.config().endpoint() + ", accessToken=***)";
    }

    @Override
    public void close() {
        transport.close();
    }
}
