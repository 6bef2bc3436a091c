package io.omix.cli;

import io.omix.sdk.AccessToken;
import io.omix.sdk.OAuth2;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code omix token}: an access token for the client application itself (client-credentials grant). */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Get an access token for a client application (client credentials) and print it as JSON.")
final class TokenCommand implements Runnable {
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--scope", description = "Scope to ask for (repeatable; default: all the client may have).")
    List<String> scopes = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try (OAuth2 oauth2 = client.oauth2()) {
            AccessToken token = oauth2.getCredentialsToken(scopes);
            spec.commandLine().getOut().println(token.model().dumps(2));
            spec.commandLine().getOut().flush();
        }
    }
}
