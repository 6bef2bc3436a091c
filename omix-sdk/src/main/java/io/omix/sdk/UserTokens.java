package io.omix.sdk;

import io.omix.sdk.internal.HttpTransport;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A person's tokens (from the authorization-code grant), refreshed for you: shortly before the access
 * token expires, or when the platform refuses it, the refresh token is exchanged for a new pair (the
 * platform rotates refresh tokens: the old one dies). Give a listener to store every new pair, or the
 * next start of your program holds a dead refresh token. Thread-safe.
 * <pre>{@code
 * Api api = omix.openPlatform(UserTokens.of(clientId, clientSecret, token).onRefresh(store::save));
 * }</pre>
 */
public final class UserTokens extends Credentials {
    private final String clientId;
    private final String clientSecret;
    private final AccessToken first;
    private Consumer<AccessToken> onRefresh = t -> { };

    private UserTokens(String clientId, String clientSecret, AccessToken first) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret;
        this.first = Objects.requireNonNull(first, "token");
        if (first.refreshToken() == null) throw new IllegalArgumentException("the token has no refresh token (use ClientCredentials for the application's own)");
    }

    /**
     * A person's tokens, to be refreshed through {@code clientId}.
     *
     * @param clientId     the OAuth2 client the tokens were issued to
     * @param clientSecret its secret, or null for a public client
     * @param token        the token answer with its refresh token
     * @return the credentials, for {@link Omix#openPlatform(Credentials)}
     * @throws IllegalArgumentException when {@code token} has no refresh token (a client-credentials
     *                                  token: use {@link ClientCredentials})
     * @throws NullPointerException     when {@code clientId} or {@code token} is null
     */
    public static UserTokens of(String clientId, String clientSecret, AccessToken token) {
        return new UserTokens(clientId, clientSecret, token);
    }

    /**
     * Sets what to do with every new pair of tokens: store it, since the refresh token it replaces is dead.
     * Set it before passing these credentials to {@link Omix#openPlatform(Credentials)}.
     *
     * @param listener called with each new token answer, on the thread whose call needed it
     * @return these credentials
     */
    public UserTokens onRefresh(Consumer<AccessToken> listener) {
        this.onRefresh = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * One supply for every client opened with these credentials (every view of the platform): each view refreshing
     * from the same first token used a refresh token another had used already, and the platform revoked the grant.
     * Refreshed through the pool of the client last opened with them (an earlier one may be closed by then).
     */
    private ClientCredentials.Renewing shared;
    private volatile OAuth2 refresher;

    @Override
    synchronized TokenSupply bind(HttpTransport pool) {
        refresher = new OAuth2(clientId, clientSecret, pool);
        if (shared == null) shared = new ClientCredentials.Renewing(previous -> refresher.exchangeRefreshToken(previous.refreshToken()), first, onRefresh);
        return shared;
    }
}
