package io.omix.sdk;

import io.omix.sdk.internal.HttpTransport;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The application acting for itself (the client-credentials grant): a token is fetched on the first
 * call and fetched again shortly before it expires, or when the platform refuses it (revoked), so
 * that a long-running program never handles tokens. Thread-safe.
 * <pre>{@code
 * Api api = omix.openPlatform(ClientCredentials.of(clientId, clientSecret));
 * }</pre>
 */
public final class ClientCredentials extends Credentials {
    private final String clientId;
    private final String clientSecret;
    private final List<String> scopes;

    private ClientCredentials(String clientId, String clientSecret, List<String> scopes) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
        this.scopes = List.copyOf(scopes);
    }

    /**
     * The application's own tokens with every scope it is allowed.
     *
     * @param clientId     the OAuth2 client id
     * @param clientSecret its secret (a public client has none, and cannot use this grant)
     * @return the credentials, for {@link Omix#openPlatform(Credentials)}
     * @throws NullPointerException when either is null
     */
    public static ClientCredentials of(String clientId, String clientSecret) {
        return new ClientCredentials(clientId, clientSecret, List.of());
    }

    /**
     * The application's own tokens with only {@code scopes}.
     *
     * @param clientId     the OAuth2 client id
     * @param clientSecret its secret
     * @param scopes       the scopes to ask for, each one the application is allowed (an empty list: all of them)
     * @return the credentials, for {@link Omix#openPlatform(Credentials)}
     * @throws NullPointerException when an argument is null
     */
    public static ClientCredentials of(String clientId, String clientSecret, List<String> scopes) {
        return new ClientCredentials(clientId, clientSecret, scopes);
    }

    /**
     * The application these credentials act as.
     *
     * @return the OAuth2 client id
     */
    public String clientId() {
        return clientId;
    }

    @Override
    TokenSupply bind(HttpTransport pool) {
        OAuth2 oauth2 = new OAuth2(clientId, clientSecret, pool);
        return new Renewing(previous -> scopes.isEmpty() ? oauth2.getCredentialsToken() : oauth2.getCredentialsToken(scopes), null);
    }

    @Override
    public String toString() {
        return "ClientCredentials(clientId=" + clientId + ", clientSecret=***)";
    }

    /**
     * A token kept until shortly before it expires (a tenth of its life, at least 30 s and at most
     * 5 minutes, early), then fetched again from the previous one; one fetch at a time.
     */
    static final class Renewing implements TokenSupply {
        private final java.util.function.UnaryOperator<AccessToken> fetch;
        private AccessToken current;
        private Instant renewAt;

        /** @param fetch a new token, given the previous one (null at first) */
        Renewing(java.util.function.UnaryOperator<AccessToken> fetch, AccessToken first) {
            this.fetch = fetch;
            if (first != null) replace(first);
        }

        @Override
        public synchronized String get() {
            if (current == null || renewAt != null && !Instant.now().isBefore(renewAt)) replace(fetch.apply(current));
            return current.accessToken();
        }

        private void replace(AccessToken token) {
            current = token;
            Long life = token.expiresIn();
            if (life == null) {
                renewAt = null;
            } else {
                long early = Math.max(30, Math.min(300, life / 10));
                renewAt = Instant.now().plus(Duration.ofSeconds(Math.max(0, life - early)));
            }
        }

        @Override
        public boolean renewable() {
            return true;
        }

        @Override
        public synchronized void invalidate() {
            renewAt = Instant.EPOCH; // the next get() fetches a new one (from this one: its refresh token)
        }
    }
}
