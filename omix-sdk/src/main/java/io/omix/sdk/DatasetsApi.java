package io.omix.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import io.omix.sdk.internal.ApiRequest;
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
    private final HttpTransport transport;

    private DatasetsApi(String apiKey, String apiSecret, ClientConfig config) {
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(apiSecret, "apiSecret");
        this.transport = new HttpTransport(config, (request, uri, body, builder) ->
                builder.header("X-API-KEY", apiKey).header("X-API-SECRET", apiSecret));
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

    /** Sends a request; the answer's JSON, or {@link ApiException} with the HTTP status as code. */
    JsonNode call(ApiRequest request) {
        return transport.problemJson(request);
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
