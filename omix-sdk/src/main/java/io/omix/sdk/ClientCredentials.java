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

    /**
     * One token for the clients opened with these credentials over one connection pool (the views of one
     * {@link Omix}): each view fetched a token of its own. Another {@link Omix} (another platform, it may be) gets its own.
     */
    private final java.util.Map<HttpTransport, Renewing> shared = new java.util.WeakHashMap<>();

    @Override
    synchronized TokenSupply bind(HttpTransport pool) {
        return shared.computeIfAbsent(pool, p -> {
            OAuth2 oauth2 = new OAuth2(clientId, clientSecret, p);
            return new Renewing(previous -> scopes.isEmpty() ? oauth2.getCredentialsToken() : oauth2.getCredentialsToken(scopes), null);
        });
    }

    @Override
    public String toString() {
        return "ClientCredentials(clientId=" + clientId + ", clientSecret=***)";
    }

    /**
     * A token kept until shortly before it expires (a tenth of its life, at least 30 s and at most
     * 5 minutes, early), then fetched again from the previous one; one fetch at a time. A new token is
     * kept before anyone is told of it ({@code kept}): a person's refresh token dies as it is used, so a
     * listener that failed must not leave the dead one in use (the platform then revokes the grant).
     */
    static final class Renewing implements TokenSupply {
        private final java.util.function.UnaryOperator<AccessToken> fetch;
        private final java.util.function.Consumer<AccessToken> kept;
        private AccessToken current;
        private Instant renewAt;

        /** @param fetch a new token, given the previous one (null at first) */
        Renewing(java.util.function.UnaryOperator<AccessToken> fetch, AccessToken first) {
            this(fetch, first, t -> { });
        }

        /** @param kept told of each new token once it is the one in use (its failure reaches the caller whose call renewed it) */
        Renewing(java.util.function.UnaryOperator<AccessToken> fetch, AccessToken first, java.util.function.Consumer<AccessToken> kept) {
            this.fetch = fetch;
            this.kept = kept;
            if (first != null) replace(first);
        }

        /** A new token whose listener failed: offered again by the next call, until it is heard. */
        private AccessToken unheard;

        @Override
        public synchronized String get() {
            Instant now = Instant.now();
            if (current == null || renewAt != null && !now.isBefore(renewAt)) {
                AccessToken fresh;
                try {
                    fresh = fetch.apply(current);
                } catch (RateLimitedException busy) {
                    // The token endpoint's budget is spent for now, and a 429 used nothing up: a token renewed early still
                    // serves until it expires, and renewing waits as the platform asks (each call failed in that window).
                    if (current == null || refused || expiresAt == null || !now.isBefore(expiresAt)) throw busy;
                    renewAt = now.plus(busy.retryAfter().isZero() ? Duration.ofSeconds(1) : busy.retryAfter());
                    return current.accessToken();
                }
                replace(fresh);
                unheard = fresh;
            }
            if (unheard != null) {
                AccessToken telling = unheard;
                kept.accept(telling);   // a failure reaches this caller; the next call offers the same pair again
                if (unheard == telling) unheard = null;
            }
            return current.accessToken();
        }

        /** When the token in use expires (null: not known), and whether the platform refused it already. */
        private Instant expiresAt;
        private boolean refused;

        private void replace(AccessToken token) {
            current = token;
            refused = false;
            Long life = token.expiresIn();
            expiresAt = life == null ? null : Instant.now().plusSeconds(life);
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
        public synchronized void invalidate(String refused) {
            // Only the token that was refused: another thread renewed it already otherwise (renewing again would use the
            // refresh token twice, and the platform takes a refresh token used twice for a stolen one).
            if (current == null || refused == null || current.accessToken().equals(refused)) {
                renewAt = Instant.EPOCH;
                this.refused = true;
            }
        }
    }
}
