package io.omix.cli;

import com.sun.net.httpserver.HttpServer;
import io.omix.sdk.AccessToken;
import io.omix.sdk.OAuth2;
import io.omix.sdk.Pkce;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
        String redirectUri = "http://127.0.0.1:" + port + "/callback";
        Pkce pkce = Pkce.generate();
        byte[] s = new byte[18];
        new SecureRandom().nextBytes(s);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(s);
        CompletableFuture<String> code = new CompletableFuture<>();
        HttpServer listener;
        try {
            listener = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + "); choose --port");
        }
        listener.createContext("/callback", exchange -> {
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            String page;
            int status;
            Runnable outcome;
            if (!state.equals(q.get("state"))) {
                status = 400;
                page = "The sign-in answer does not match this login (state). Start again.";
                outcome = () -> code.completeExceptionally(new IllegalStateException("state mismatch: not the answer to this login"));
            } else if (q.get("error") != null) {
                status = 400;
                page = "Sign-in failed: " + q.get("error");
                outcome = () -> code.completeExceptionally(new IllegalStateException("sign-in failed: " + q.get("error") + " "
                        + q.getOrDefault("error_description", "")));
            } else {
                status = 200;
                page = "Signed in to Omix. You can close this tab. 登录成功，可以关闭此页面。";
                outcome = () -> code.complete(q.get("code"));
            }
            byte[] body = ("<!DOCTYPE html><meta charset=\"utf-8\"><title>Omix</title><p>" + page + "</p>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            try {
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } finally {
                // Only now: the command stops the listener as soon as it has the outcome.
                outcome.run();
            }
        });
        listener.start();
        try (OAuth2 oauth2 = client.oauth2()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Open this address in a browser to sign in:");
            err.println("  " + oauth2.getAuthorizationUrl(redirectUri, state, scopes, pkce));
            err.println("Waiting for the sign-in on " + redirectUri + " ...");
            err.flush();
            String received;
            try {
                received = code.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no sign-in within " + timeoutSeconds + " s");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            AccessToken token = oauth2.exchangeAuthorizationCode(received, redirectUri, pkce.verifier());
            String json = token.model().dumps(2);
            spec.commandLine().getOut().println(json);
            spec.commandLine().getOut().flush();
            if (!noSave) save(json);
        } finally {
            listener.stop(0);
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

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) return out;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) out.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
