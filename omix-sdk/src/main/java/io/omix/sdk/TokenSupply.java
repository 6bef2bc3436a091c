package io.omix.sdk;

/** Where an {@link Api} gets the access token of each attempt: a fixed one, or one a provider renews. */
interface TokenSupply {
    /** The token to send now. */
    String get();

    /** Whether {@link #invalidate()} can bring a new token. */
    default boolean renewable() {
        return false;
    }

    /** The platform refused the current token: the next {@link #get()} fetches another. */
    default void invalidate() {}

    static TokenSupply fixed(String token) {
        return () -> token;
    }
}
