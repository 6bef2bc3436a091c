package io.omix.server.oauth;

import io.omix.server.common.auth.Secrets;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/** PKCE (RFC 7636), S256 only: the plain method would let a stolen code be redeemed. */
final class Pkce {
    /** Challenges and verifiers: 43 to 128 unreserved characters. */
    static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

    private Pkce() {}

    static boolean verify(String verifier, String challenge) {
        if (verifier == null || !FORMAT.matcher(verifier).matches()) return false;
        String computed = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Secrets.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
        return Secrets.constantTimeEquals(computed, challenge);
    }
}
