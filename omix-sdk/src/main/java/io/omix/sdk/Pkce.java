package io.omix.sdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A PKCE pair (RFC 7636, S256): send {@link #challenge()} with the authorization URL, keep
 * {@link #verifier()} secret and send it when exchanging the code.
 *
 * @param verifier  the secret: 43 URL-safe base64 characters of random bytes
 * @param challenge the verifier's S256 challenge: URL-safe base64 of its SHA-256, without padding
 */
public record Pkce(String verifier, String challenge) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A new pair from 32 random bytes of a {@link SecureRandom}.
     *
     * @return a fresh verifier and its challenge
     */
    public static Pkce generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new Pkce(verifier, challengeOf(verifier));
    }

    /**
     * The S256 challenge of a verifier, as the server computes it to check the code exchange.
     *
     * @param verifier the PKCE verifier (ASCII)
     * @return URL-safe base64 of the verifier's SHA-256, without padding
     */
    public static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Pkce(challenge=" + challenge + ", verifier=***)";
    }
}
