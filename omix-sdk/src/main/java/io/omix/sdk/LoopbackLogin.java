package io.omix.sdk;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Signs a person in from a desktop or command-line program (the authorization-code grant with
 * PKCE S256 and a random state): listens on {@code http://127.0.0.1:PORT/callback} (the client must
 * have that redirect URI registered), hands you the address to open in a browser, waits for the
 * redirect, checks the state, exchanges the code and answers the tokens. {@code omix login} is built on it.
 * <pre>{@code
 * AccessToken token = LoopbackLogin.builder(omix.oauth2(clientId, clientSecret))
 *         .port(8765).scopes(List.of("profile", "samples"))
 *         .open(url -> System.err.println("Open " + url))
 *         .signIn();
 * Api api = omix.openPlatform(UserTokens.of(clientId, clientSecret, token).onRefresh(store::save));
 * }</pre>
 */
public final class LoopbackLogin {
    private final OAuth2 oauth2;
    private final int port;
    private final List<String> scopes;
    private final Duration timeout;
    private final Consumer<String> open;

    private LoopbackLogin(Builder b) {
        this.oauth2 = b.oauth2;
        this.port = b.port;
        this.scopes = List.copyOf(b.scopes);
        this.timeout = b.timeout;
        this.open = b.open;
    }

    /**
     * Starts a login through {@code oauth2}'s client application.
     *
     * @param oauth2 the OAuth2 client whose tokens the person grants (its redirect URIs must include
     *               {@code http://127.0.0.1:PORT/callback})
     * @return a builder: port 8765, all the client's scopes, 5 minutes to sign in; set {@link Builder#open}
     *         to show the person the address
     * @throws NullPointerException when {@code oauth2} is null
     */
    public static Builder builder(OAuth2 oauth2) {
        return new Builder(oauth2);
    }

    /** Builds a {@link LoopbackLogin}. */
    public static final class Builder {
        private final OAuth2 oauth2;
        private int port = 8765;
        private List<String> scopes = List.of();
        private Duration timeout = Duration.ofMinutes(5);
        private Consumer<String> open = url -> { };

        private Builder(OAuth2 oauth2) {
            this.oauth2 = Objects.requireNonNull(oauth2, "oauth2");
        }

        /**
         * Sets the local port of the redirect listener.
         *
         * @param port the port of the redirect URI the client registered (8765 by default)
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets the scopes to ask for.
         *
         * @param scopes the scope ids, e.g. {@code profile}, {@code samples}; empty for all the client may have
         * @return this builder
         */
        public Builder scopes(List<String> scopes) {
            this.scopes = List.copyOf(scopes);
            return this;
        }

        /**
         * Sets how long to wait for the person to sign in.
         *
         * @param timeout the longest wait for the redirect (5 minutes by default)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sets what to do with the address the person must open.
         *
         * @param open called once with the authorization URL: print it, or start a browser with it
         * @return this builder
         */
        public Builder open(Consumer<String> open) {
            this.open = Objects.requireNonNull(open, "open");
            return this;
        }

        /**
         * Makes the login, to run later with {@link LoopbackLogin#signIn()}.
         *
         * @return the login as set so far
         */
        public LoopbackLogin build() {
            return new LoopbackLogin(this);
        }

        /**
         * Builds the login and runs it: see {@link LoopbackLogin#signIn()}.
         *
         * @return the tokens of the person who signed in, with a refresh token
         * @throws IllegalArgumentException when the port cannot be listened on
         * @throws IllegalStateException    when the sign-in failed, answered another login, or took too long
         * @throws OmixException            when the code exchange was refused
         */
        public AccessToken signIn() {
            return build().signIn();
        }
    }

    /**
     * The redirect URI this login listens on (the client must have it registered).
     *
     * @return {@code http://127.0.0.1:PORT/callback}
     */
    public String redirectUri() {
        return "http://127.0.0.1:" + port + "/callback";
    }

    /**
     * Runs the sign-in: starts the listener, hands the authorization URL (with a PKCE challenge and a
     * random state) to the {@code open} callback, waits for the redirect, and exchanges its code
     * through the OAuth2 client. The listener stops whatever the outcome.
     *
     * @return the tokens of the person who signed in, with a refresh token
     * @throws IllegalArgumentException when the port cannot be listened on
     * @throws IllegalStateException    when the sign-in failed, answered another login (state), or took longer than the timeout
     * @throws OmixException            when the code exchange was refused
     */
    public AccessToken signIn() {
        String redirectUri = redirectUri();
        Pkce pkce = Pkce.generate();
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        CompletableFuture<String> code = new CompletableFuture<>();
        HttpServer listener;
        try {
            listener = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + "); choose another port");
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
            byte[] body = ("<!DOCTYPE html><meta charset=\"utf-8\"><title>Omix</title><p>" + escape(page) + "</p>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            try {
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } finally {
                // Only now: signIn() stops the listener as soon as it has the outcome.
                outcome.run();
            }
        });
        listener.start();
        try {
            open.accept(oauth2.getAuthorizationUrl(redirectUri, state, scopes, pkce));
            String received;
            try {
                received = code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("no sign-in within " + timeout.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            return oauth2.exchangeAuthorizationCode(received, redirectUri, pkce.verifier());
        } finally {
            listener.stop(0);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
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
