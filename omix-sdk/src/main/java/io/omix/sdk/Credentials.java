package io.omix.sdk;

import io.omix.sdk.internal.HttpTransport;

/**
 * How an open-platform client authenticates, for {@link Omix#openPlatform(Credentials)}: a fixed
 * access token ({@link #accessToken(String)}), the application's own tokens fetched and renewed
 * before they expire ({@link ClientCredentials}), or a person's tokens refreshed and rotated for
 * you ({@link UserTokens}).
 */
public abstract class Credentials {
    Credentials() {}

    /**
     * A fixed access token. It is not renewed: once it expires or is revoked, calls fail with
     * {@link AuthenticationException} (403).
     *
     * @param accessToken an OAuth2 access token of either grant ({@code oat_...})
     * @return the credentials, for {@link Omix#openPlatform(Credentials)}
     * @throws NullPointerException when {@code accessToken} is null
     */
    public static Credentials accessToken(String accessToken) {
        java.util.Objects.requireNonNull(accessToken, "accessToken");
        return new Credentials() {
            @Override
            TokenSupply bind(HttpTransport pool) {
                return TokenSupply.fixed(accessToken);
            }
        };
    }

    /** Where the tokens of a client on {@code pool} come from. */
    abstract TokenSupply bind(HttpTransport pool);
}
