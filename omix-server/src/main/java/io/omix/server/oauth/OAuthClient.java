package io.omix.server.oauth;

import java.util.List;
import java.util.Set;

/**
 * A registered client application.
 *
 * @param publicClient true when it has no secret (native and browser apps): it must use PKCE
 */
public record OAuthClient(String clientId, String name, String secretHash, List<String> redirectUris,
                          Set<String> grantTypes, Set<String> scopes, String ownerUserId, boolean disabled) {
    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String REFRESH_TOKEN = "refresh_token";

    public boolean publicClient() {
        return secretHash == null;
    }

    public boolean allows(String grantType) {
        // Refreshing comes with the code grant: it is how its tokens live on.
        if (grantType.equals(REFRESH_TOKEN)) return grantTypes.contains(AUTHORIZATION_CODE);
        return grantTypes.contains(grantType);
    }

    /** Redirect URIs match exactly, character for character: no prefixes, no patterns. */
    public boolean registered(String redirectUri) {
        return redirectUri != null && redirectUris.contains(redirectUri);
    }
}
