package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.Objects;

/**
 * Client of the private platform for partners (seeds 000 to 002), acting as one app.
 * Defaults as in the seeds: 3 retries, 16 s timeout. Thread-safe; close it to release its connections.
 */
public final class PrivateApi implements AutoCloseable {
    private final String appKey;
    private final String appSecret;
    private final HttpTransport transport;

    private PrivateApi(String appKey, String appSecret, ClientConfig config) {
        this.appKey = Objects.requireNonNull(appKey, "appKey");
        this.appSecret = Objects.requireNonNull(appSecret, "appSecret");
        this.transport = new HttpTransport(config);
    }

    public PrivateApi(String appKey, String appSecret) {
        this(appKey, appSecret, builder(appKey, appSecret).config());
    }

    public static Builder builder(String appKey, String appSecret) {
        return new Builder(appKey, appSecret);
    }

    public static final class Builder extends ClientBuilder<Builder, PrivateApi> {
        private final String appKey;
        private final String appSecret;

        private Builder(String appKey, String appSecret) {
            super(Duration.ofSeconds(16));
            this.appKey = appKey;
            this.appSecret = appSecret;
        }

        @Override
        public PrivateApi build() {
            return new PrivateApi(appKey, appSecret, config());
        }
    }

    public String appKey() {
        return appKey;
    }

    public ClientConfig config() {
        return transport.config();
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "PrivateApi(appKey=" + appKey + ", endpoint=" + transport.config().endpoint() + ")";
    }
}
