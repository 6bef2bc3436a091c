package io.omix.cli;

import io.omix.sdk.AccessToken;
import io.omix.sdk.LoopbackLogin;
import io.omix.sdk.OAuth2;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code omix login}: signs a person in with the authorization-code grant and PKCE. It listens on
 * {@code http://127.0.0.1:PORT/callback} (which the client must have registered), prints the URL to
 * open, waits for the redirect, checks the state, exchanges the code and saves the tokens.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in as a user (authorization code + PKCE through a local redirect listener).",
                "Prints the tokens as JSON and saves them to ~/.omix/token.json (mode 600)."})
final class LoginCommand implements Runnable {
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--scope", description = "Scope to ask for (repeatable; default: all the client may have).")
    List<String> scopes = new ArrayList<>();

    @Option(names = "--port", defaultValue = "8765", description = "Port of the local redirect listener (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--timeout", defaultValue = "300", description = "Seconds to wait for the sign-in (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--token-file", description = "Where to save the tokens (default ~/.omix/token.json).")
    Path tokenFile;

    @Option(names = "--no-save", description = "Print the tokens only.")
    boolean noSave;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try (OAuth2 oauth2 = client.oauth2()) {
            PrintWriter err = spec.commandLine().getErr();
            LoopbackLogin login = LoopbackLogin.builder(oauth2).port(port).scopes(scopes).timeout(java.time.Duration.ofSeconds(timeoutSeconds))
                    .open(url -> {
                        err.println("Open this address in a browser to sign in:");
                        err.println("  " + url);
                        err.println("Waiting for the sign-in on http://127.0.0.1:" + port + "/callback ...");
                        err.flush();
                    }).build();
            AccessToken token = login.signIn();
            String json = token.model().dumps(2);
            spec.commandLine().getOut().println(json);
            spec.commandLine().getOut().flush();
            if (!noSave) save(json);
        }
    }

    private void save(String json) {
        Path file = tokenFile != null ? tokenFile : Path.of(System.getProperty("user.home"), ".omix", "token.json");
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".token", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the directory's ACL applies
            }
            Files.writeString(tmp, json + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getErr().println("Saved to " + file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the tokens to " + file + ": " + e.getMessage());
        }
    }
}
