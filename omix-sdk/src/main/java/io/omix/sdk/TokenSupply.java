package io.omix.sdk;

/** Where an {@link Api} gets the access token of each attempt: a fixed one, or one a provider renews. */
interface TokenSupply {
    /** The token to send now. */
    String get();

    /** Whether {@link #invalidate(String)} can bring a new token. */
    default boolean renewable() {
        return false;
    }

    /**
     * The platform refused {@code refused}: if it is still the current token, the next {@link #get()} fetches another
     * (threads refused at once renew it once, not once each).
     */
    default void invalidate(String refused) {}

    static TokenSupply fixed(String token) {
        return () -> token;
    }
}
