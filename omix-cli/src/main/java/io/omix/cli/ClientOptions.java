package io.omix.cli;

import io.omix.sdk.ClientBuilder;
import io.omix.sdk.OAuth2;
import picocli.CommandLine.Option;

/** Which server and which OAuth2 client a command uses; defaults from OMIX_* environment variables. */
final class ClientOptions {
    @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
            description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--client-id", defaultValue = "${env:OMIX_CLIENT_ID}", description = "OAuth2 client id (default: $OMIX_CLIENT_ID).")
    String clientId;

    @Option(names = "--client-secret", defaultValue = "${env:OMIX_CLIENT_SECRET}",
            description = "OAuth2 client secret (default: $OMIX_CLIENT_SECRET; none for public clients).")
    String clientSecret;

    OAuth2 oauth2() {
        if (clientId == null || clientId.isBlank()) throw new IllegalArgumentException("--client-id (or OMIX_CLIENT_ID) is required");
        return OAuth2.builder(clientId, clientSecret == null || clientSecret.isBlank() ? null : clientSecret).endpoint(endpoint).build();
    }
}
