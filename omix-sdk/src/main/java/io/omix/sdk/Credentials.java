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

    /** A fixed access token (it is not renewed: when it expires, calls fail with {@link AuthenticationException}). */
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
