package io.omix.sdk;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * An OAuth2 token answer: {@code access_token}, {@code token_type}, {@code expires_in}, {@code scope}
 * and, for the authorization-code grant, {@code refresh_token}. {@link #refresh()} exchanges the
 * refresh token for a new one through the client that obtained it (the old refresh token dies).
 */
public final class AccessToken {
    private final OAuth2 issuer;
    private final Model model;
    private final Instant expiresAt;

    AccessToken(OAuth2 issuer, Model model, Instant obtainedAt) {
        this.issuer = issuer;
        this.model = model;
        Long expiresIn = model.getLong("expires_in");
        this.expiresAt = expiresIn == null ? null : obtainedAt.plusSeconds(expiresIn);
    }

    public String accessToken() {
        return model.getString("access_token");
    }

    public String tokenType() {
        return model.getString("token_type");
    }

    public Long expiresIn() {
        return model.getLong("expires_in");
    }

    public String scope() {
        return model.getString("scope");
    }

    public List<String> scopes() {
        String s = scope();
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.split(" "));
    }

    /** Null for client-credentials tokens. */
    public String refreshToken() {
        return model.getString("refresh_token");
    }

    /** When the access token stops working, by this machine's clock. */
    public Instant expiresAt() {
        return expiresAt;
    }

    public boolean isExpired() {
        return expiresAt != null && !Instant.now().isBefore(expiresAt);
    }

    /** The whole answer. */
    public Model model() {
        return model;
    }

    /** A new token from the refresh token; this token's refresh token is then dead. */
    public AccessToken refresh() {
        if (refreshToken() == null) throw new IllegalStateException("this token has no refresh token (client-credentials grant)");
        return issuer.exchangeRefreshToken(refreshToken());
    }

    /** An open-platform client acting with this token. */
    public Api api() {
        return issuer.getApi(accessToken());
    }

    @Override
    public String toString() {
        return "AccessToken(type=" + tokenType() + ", scope=" + scope() + ", expiresAt=" + expiresAt
                + ", refreshable=" + (refreshToken() != null) + ")";
    }
}
