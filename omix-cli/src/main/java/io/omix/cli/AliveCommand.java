package io.omix.cli;

import io.omix.sdk.ClientBuilder;
import io.omix.sdk.OAuth2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code omix alive}: is the platform up? Exit status 0 when it is. */
@Command(name = "alive", mixinStandardHelpOptions = true, description = "Check that an Omix server answers (exit 0 when it does).")
final class AliveCommand implements Callable<Integer> {
    @Option(names = "--endpoint", defaultValue = "${env:OMIX_ENDPOINT:-" + ClientBuilder.DEFAULT_ENDPOINT + "}",
            description = "Server address (default: $OMIX_ENDPOINT, else ${DEFAULT-VALUE}).")
    String endpoint;

    @Override
    public Integer call() {
        try (OAuth2 client = OAuth2.builder("omix-cli", null).endpoint(endpoint).maxRetries(0).build()) {
            boolean alive = client.alive();
            System.out.println(alive);
            return alive ? 0 : 1;
        }
    }
}
