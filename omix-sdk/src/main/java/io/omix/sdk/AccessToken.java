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

    /**
     * A token answer received at {@code obtainedAt}.
     *
     * @param issuer     the client that obtained the token, used again to refresh it
     * @param model      the token endpoint's answer
     * @param obtainedAt when the request was sent, the start of {@code expires_in}
     */
    AccessToken(OAuth2 issuer, Model model, Instant obtainedAt) {
        this.issuer = issuer;
        this.model = model;
        Long expiresIn = model.getLong("expires_in");
        this.expiresAt = expiresIn == null ? null : obtainedAt.plusSeconds(expiresIn);
    }

    /**
     * The bearer token to send with API calls ({@code access_token}, {@code oat_...}).
     *
     * @return the access token: a secret, to keep out of logs
     */
    public String accessToken() {
        return model.getString("access_token");
    }

    /**
     * The kind of token ({@code token_type}).
     *
     * @return {@code Bearer}, as the platform issues them
     */
    public String tokenType() {
        return model.getString("token_type");
    }

    /**
     * How long the access token lived when issued ({@code expires_in}).
     *
     * @return seconds from issue (7200 unless the server is set otherwise), or null when the answer gave none
     */
    public Long expiresIn() {
        return model.getLong("expires_in");
    }

    /**
     * The scopes granted ({@code scope}), which may be fewer than those asked for.
     *
     * @return the scope ids separated by spaces, e.g. {@code "profile samples"}, or null when the answer gave none
     */
    public String scope() {
        return model.getString("scope");
    }

    /**
     * The scopes granted, one by one.
     *
     * @return the scope ids of {@link #scope()}; empty when it is null or blank
     */
    public List<String> scopes() {
        String s = scope();
        return s == null || s.isBlank() ? List.of() : Arrays.asList(s.split(" "));
    }

    /**
     * The refresh token ({@code refresh_token}, {@code ort_...}) that {@link #refresh()} spends.
     *
     * @return the refresh token, or null for client-credentials tokens
     */
    public String refreshToken() {
        return model.getString("refresh_token");
    }

    /**
     * When the access token stops working, by this machine's clock.
     *
     * @return the time the request was sent plus {@code expires_in}, or null when the answer gave no lifetime
     */
    public Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Whether the access token has expired, by this machine's clock. A token revoked or refused
     * before then still answers false here: the server's word is final.
     *
     * @return true from {@link #expiresAt()} on; false when the lifetime is unknown
     */
    public boolean isExpired() {
        return expiresAt != null && !Instant.now().isBefore(expiresAt);
    }

    /**
     * The whole answer of the token endpoint.
     *
     * @return a view of every field, those without an accessor included
     */
    public Model model() {
        return model;
    }

    /**
     * A new token from the refresh token ({@code POST /oauth2/access_token}, grant {@code refresh_token}),
     * through the client that obtained this one; this token's refresh token is then dead. The request is
     * sent once, never retried, since a refresh token presented twice revokes its whole family.
     *
     * @return the new access and refresh tokens
     * @throws IllegalStateException     when this token has no refresh token (client-credentials grant)
     * @throws InvalidParameterException when the server refuses the grant (code 400, e.g. {@code invalid_grant}
     *                                   for an expired, rotated or revoked refresh token)
     * @throws OmixException             when the call fails otherwise (see its families)
     */
    public AccessToken refresh() {
        if (refreshToken() == null) throw new IllegalStateException("this token has no refresh token (client-credentials grant)");
        return issuer.exchangeRefreshToken(refreshToken());
    }

    /**
     * An open-platform client acting with this token, sharing the issuing client's settings, connections and threads.
     *
     * @return a client that sends this access token with every call
     */
    public Api api() {
        return issuer.getApi(accessToken());
    }

    @Override
    public String toString() {
        return "AccessToken(type=" + tokenType() + ", scope=" + scope() + ", expiresAt=" + expiresAt
                + ", refreshable=" + (refreshToken() != null) + ")";
    }
}
