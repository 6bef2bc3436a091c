package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Opaque access and refresh tokens, stored as SHA-256 hashes. Every check reads the database, so a
 * revocation takes effect at once on every server, and no server keeps tokens in memory.
 */
public final class TokenStore {
    public static final String ACCESS = "access";
    public static final String REFRESH = "refresh";
    /** A model invocation's token (see {@link #issueInvocation}). */
    public static final String INVOCATION = "invocation";

    public record Issued(String accessToken, String refreshToken, long expiresIn, String scope) {}

    public record Token(String hash, String kind, String familyId, String clientId, String userId, String grantType,
                        String scope, OffsetDateTime issuedAt, OffsetDateTime expiresAt, OffsetDateTime usedAt,
                        OffsetDateTime revokedAt) {
        public boolean activeAt(OffsetDateTime now) {
            return revokedAt == null && expiresAt.isAfter(now) && (kind.equals(ACCESS) || usedAt == null);
        }
    }

    private final Platform platform;
    private final Jdbc jdbc;

    public TokenStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    public static String newFamily() {
        return UUID.randomUUID().toString();
    }

    /** Issues an access token, and a refresh token when asked, in {@code familyId}. */
    public Issued issue(String familyId, String clientId, String userId, String grantType, String scope, String codeHash,
                        boolean withRefresh) {
        OffsetDateTime now = platform.now();
        long ttl = platform.config().accessTokenTtl().getSeconds();
        String access = Secrets.token("oat_");
        String refresh = withRefresh ? Secrets.token("ort_") : null;
        jdbc.inTransaction(c -> {
            insert(c, access, ACCESS, familyId, clientId, userId, grantType, scope, codeHash, now, now.plusSeconds(ttl));
            if (refresh != null) {
                insert(c, refresh, REFRESH, familyId, clientId, userId, grantType, scope, codeHash, now,
                        now.plus(platform.config().refreshTokenTtl()));
            }
            return null;
        });
        return new Issued(access, refresh, ttl, scope);
    }

    private static void insert(java.sql.Connection c, String token, String kind, String familyId, String clientId, String userId,
                               String grantType, String scope, String codeHash, OffsetDateTime issued, OffsetDateTime expires)
            throws java.sql.SQLException {
        Jdbc.update(c, "INSERT INTO oauth_tokens (token_hash, kind, family_id, client_id, user_id, grant_type, scope, code_hash, "
                        + "issued_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                Secrets.hash(token), kind, familyId, clientId, userId, grantType, scope, codeHash, issued, expires);
    }

    public Optional<Token> find(String token) {
        if (token == null || token.length() > 100) return Optional.empty();
        return jdbc.queryOne("SELECT * FROM oauth_tokens WHERE token_hash = ?", rs -> new Token(rs.getString("token_hash"),
                rs.getString("kind"), rs.getString("family_id"), rs.getString("client_id"), rs.getString("user_id"),
                rs.getString("grant_type"), rs.getString("scope"), rs.getObject("issued_at", OffsetDateTime.class),
                rs.getObject("expires_at", OffsetDateTime.class), rs.getObject("used_at", OffsetDateTime.class),
                rs.getObject("revoked_at", OffsetDateTime.class)), Secrets.hash(token));
    }

    /**
     * The caller an access token stands for: live (not expired, not revoked), of an enabled client,
     * and of an enabled user for user tokens. One indexed read. A model invocation's token also needs
     * the token it was minted from to be live; its caller is marked {@link Caller#invocation()} and
     * carries the model's declared scopes as given (plain ids read, {@code id:write} writes).
     */
    public Optional<Caller> authenticate(String accessToken) {
        if (accessToken == null || accessToken.length() > 100) return Optional.empty();
        OffsetDateTime now = platform.now();
        return jdbc.queryOne("SELECT t.kind, t.client_id, t.user_id, t.grant_type, t.scope, u.operator FROM oauth_tokens t "
                        + "JOIN oauth_clients c ON c.client_id = t.client_id "
                        + "LEFT JOIN users u ON u.user_id = t.user_id "
                        + "LEFT JOIN oauth_tokens p ON p.token_hash = t.parent_hash "
                        + "WHERE t.token_hash = ? AND t.kind IN ('access', 'invocation') AND t.revoked_at IS NULL AND t.expires_at > ? "
                        + "AND c.disabled = FALSE AND (t.user_id IS NULL OR u.disabled = FALSE) "
                        + "AND (t.parent_hash IS NULL OR (p.revoked_at IS NULL AND p.expires_at > ?))",
                rs -> {
                    Set<String> scopes = scopes(rs.getString("scope"));
                    Caller caller = rs.getString("grant_type").equals(OAuthClient.CLIENT_CREDENTIALS)
                            ? Caller.clientToken(rs.getString("client_id"), scopes)
                            : Caller.userToken(rs.getString("client_id"), rs.getString("user_id"), scopes, rs.getBoolean("operator"));
                    return rs.getString("kind").equals(INVOCATION) ? caller.asInvocation(scopes) : caller;
                },
                Secrets.hash(accessToken), now, now);
    }

    /**
     * Mints the token a model invocation hands its model: acting for {@code caller} (its user and
     * client), within {@code scopes}, valid for {@code ttl} at most and only while {@code parentToken}
     * (the token the invocation came with, if any) stays live, in the same family so that revoking
     * the grant revokes it. Removed by {@link #removeInvocation} when the invocation ends.
     */
    public String issueInvocation(Caller caller, String parentToken, Set<String> scopes, java.time.Duration ttl) {
        OffsetDateTime now = platform.now();
        String token = Secrets.token("oit_");
        Optional<Token> parent = parentToken == null ? Optional.empty() : find(parentToken);
        String family = parent.map(Token::familyId).orElseGet(TokenStore::newFamily);
        String grant = parent.map(Token::grantType)
                .orElse(caller.kind() == Caller.Kind.CLIENT_TOKEN ? OAuthClient.CLIENT_CREDENTIALS : OAuthClient.AUTHORIZATION_CODE);
        jdbc.update("INSERT INTO oauth_tokens (token_hash, kind, family_id, client_id, user_id, grant_type, scope, parent_hash, issued_at, expires_at)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?)", Secrets.hash(token), INVOCATION, family, caller.clientId(), caller.userId(), grant,
                String.join(" ", scopes), parent.map(Token::hash).orElse(null), now, now.plus(ttl));
        return token;
    }

    /** Ends a model invocation's token: unknown from now on, on every server. */
    public void removeInvocation(String token) {
        jdbc.update("DELETE FROM oauth_tokens WHERE token_hash = ? AND kind = ?", Secrets.hash(token), INVOCATION);
    }

    static Set<String> scopes(String scope) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : scope.split(" ")) if (!s.isBlank()) out.add(s);
        return out;
    }

    /** Rotates a refresh token: true for exactly one caller, however many servers race. */
    public boolean markRotated(String refreshHash) {
        return jdbc.update("UPDATE oauth_tokens SET used_at = ? WHERE token_hash = ? AND kind = 'refresh' AND used_at IS NULL "
                + "AND revoked_at IS NULL", platform.now(), refreshHash) == 1;
    }

    public void revoke(String tokenHash) {
        jdbc.update("UPDATE oauth_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", platform.now(), tokenHash);
    }

    public void revokeFamily(String familyId) {
        jdbc.update("UPDATE oauth_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", platform.now(), familyId);
    }

    /** Revokes every token issued from a code: what a second use of the code triggers. */
    public void revokeIssuedFrom(String codeHash) {
        jdbc.update("UPDATE oauth_tokens SET revoked_at = ? WHERE code_hash = ? AND revoked_at IS NULL", platform.now(), codeHash);
    }
}
