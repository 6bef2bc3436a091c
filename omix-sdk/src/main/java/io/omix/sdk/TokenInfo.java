package io.omix.sdk;

import java.time.Instant;
import java.util.List;

/**
 * What introspection says of a token (RFC 7662), typed.
 *
 * @param active    whether the token works now; every other field is null when it does not
 * @param clientId  the application it was issued to
 * @param scopes    the scopes it carries
 * @param grantType how it was obtained ({@code authorization_code}, {@code client_credentials}, ...)
 * @param subject   the person it acts for, or null for an application's own token
 * @param issuedAt  when it was issued
 * @param expiresAt when it expires
 * @param raw       the whole answer, for fields this type does not name
 */
public record TokenInfo(boolean active, String clientId, List<String> scopes, String grantType, String subject, Instant issuedAt,
                        Instant expiresAt, Model raw) {
    static TokenInfo of(Model m) {
        String scope = m.getString("scope");
        Long iat = m.getLong("iat");
        Long exp = m.getLong("exp");
        return new TokenInfo(Boolean.TRUE.equals(m.getBoolean("active")), m.getString("client_id"),
                scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+")), m.getString("grant_type"),
                m.getString("sub"), iat == null ? null : Instant.ofEpochSecond(iat), exp == null ? null : Instant.ofEpochSecond(exp), m);
    }
}
