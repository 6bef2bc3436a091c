package io.omix.sdk;

import io.omix.sdk.internal.ClientConfig;
import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.util.Objects;

/**
 * Client of the dataset batches API (seed 003), authenticated by an API key and secret sent as
 * {@code X-API-KEY} / {@code X-API-SECRET}. Thread-safe; close it to release its connections.
 */
public final class DatasetsApi implements AutoCloseable {
    private final String apiKey;
    private final String apiSecret;
    private final HttpTransport transport;

    private DatasetsApi(String apiKey, String apiSecret, ClientConfig config) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.apiSecret = Objects.requireNonNull(apiSecret, "apiSecret");
        this.transport = new HttpTransport(config);
    }

    public static Builder builder(String apiKey, String apiSecret) {
        return new Builder(apiKey, apiSecret);
    }

    public static final class Builder extends ClientBuilder<Builder, DatasetsApi> {
        private final String apiKey;
        private final String apiSecret;

        private Builder(String apiKey, String apiSecret) {
            super(Duration.ofSeconds(18));
            this.apiKey = apiKey;
            this.apiSecret = apiSecret;
        }

        /** The seed's name for the endpoint. */
        public Builder serverUrl(String serverUrl) {
            return endpoint(serverUrl);
        }

        @Override
        public DatasetsApi build() {
            return new DatasetsApi(apiKey, apiSecret, config());
        }
    }

    public String apiKey() {
        return apiKey;
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
        return "DatasetsApi(apiKey=" + apiKey + ", endpoint=" + transport.config().endpoint() + ")";
    }
}
