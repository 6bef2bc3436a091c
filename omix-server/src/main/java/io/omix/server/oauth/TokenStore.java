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

    /** @param patient the person the token acts for (null for a client's own token) */
    public record Issued(String accessToken, String refreshToken, long expiresIn, String scope, String patient) {}

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
        return issue(familyId, clientId, userId, grantType, scope, codeHash, withRefresh, null, false, null);
    }

    /**
     * An application's own token (client credentials), stored only while the client is enabled and still has the
     * secret it authenticated with ({@code secretHash}): a rotation of a leaked secret, or a disable, in flight at the
     * same moment either waits for this token and revokes it, or comes first and refuses it here.
     */
    public Issued issueForClient(String clientId, String secretHash, String scope) {
        return issue(newFamily(), clientId, null, OAuthClient.CLIENT_CREDENTIALS, scope, null, false, null, false, secretHash);
    }

    /**
     * {@link #issue(String, String, String, String, String, String, boolean)} for a person's grant (a code exchanged,
     * a refresh token rotated): in the transaction that stores the new tokens, the grant's consent row, and the
     * refresh token being rotated ({@code rotatedHash}, or null), are locked and must still stand. A revocation deletes
     * the consent row and revokes the tokens, a reuse revokes the family: whichever comes first, the other waits, so
     * tokens are never stored after the revocation that should have ended them (an issue and a revocation interleaving
     * left the new tokens live before). Refused with invalid_grant when the grant is gone.
     */
    public Issued issueForGrant(String familyId, String clientId, String userId, String grantType, String scope, String codeHash,
                                String rotatedHash) {
        return issue(familyId, clientId, userId, grantType, scope, codeHash, true, rotatedHash, true, null);
    }

    /**
     * Stores the tokens. The client's row and the user's are taken first (shared on PostgreSQL), in the order a disable,
     * a secret rotation and an erasure take them, then the grant's rows: a disable in flight either waits for these
     * tokens and then revokes them, or comes first and is seen here.
     *
     * @param secretHash the client secret's hash the request authenticated with, which must still be the client's; null: not checked
     */
    private Issued issue(String familyId, String clientId, String userId, String grantType, String scope, String codeHash,
                         boolean withRefresh, String rotatedHash, boolean checkGrant, String secretHash) {
        OffsetDateTime now = platform.now();
        long ttl = platform.config().accessTokenTtl().getSeconds();
        String access = Secrets.token("oat_");
        String refresh = withRefresh ? Secrets.token("ort_") : null;
        String held = platform.database().holdRows();
        jdbc.inTransaction(c -> {
            java.util.List<String> client = Jdbc.query(c, "SELECT secret_hash FROM oauth_clients WHERE client_id = ? AND disabled = FALSE" + held,
                    rs -> String.valueOf(rs.getString(1)), clientId);
            if (client.isEmpty()) throw OAuthErrors.invalidClient();
            if (secretHash != null && !client.get(0).equals(secretHash)) throw OAuthErrors.invalidClient();
            if (userId != null && Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE" + held, rs -> 1, userId).isEmpty()) {
                throw OAuthErrors.invalidGrant("the user of this grant is disabled");
            }
            if (checkGrant) {
                if (Jdbc.query(c, "SELECT 1 FROM oauth_consents WHERE user_id = ? AND client_id = ? FOR UPDATE", rs -> 1, userId, clientId).isEmpty()) {
                    throw OAuthErrors.invalidGrant("the person revoked this application's grant");
                }
                // A code exchanged at the same moment by someone else: the replay marks the code row, and revokes
                // what was issued from it once this transaction has committed (revokeReplayedCode).
                if (codeHash != null && Jdbc.query(c, "SELECT replayed_at FROM oauth_codes WHERE code_hash = ? FOR UPDATE",
                        rs -> rs.getObject(1) == null, codeHash).stream().noneMatch(clean -> clean)) {
                    throw OAuthErrors.invalidGrant("the code was used already; the tokens issued from it are revoked");
                }
                // Locked whatever its state (a lock taken only on a revoked row would not hold off the revocation).
                if (rotatedHash != null && Jdbc.query(c, "SELECT revoked_at FROM oauth_tokens WHERE token_hash = ? FOR UPDATE",
                        rs -> rs.getObject(1) == null, rotatedHash).stream().noneMatch(live -> live)) {
                    throw OAuthErrors.invalidGrant("the refresh token was revoked");
                }
            }
            insert(c, access, ACCESS, familyId, clientId, userId, grantType, scope, codeHash, now, now.plusSeconds(ttl));
            if (refresh != null) {
                insert(c, refresh, REFRESH, familyId, clientId, userId, grantType, scope, codeHash, now,
                        now.plus(platform.config().refreshTokenTtl()));
            }
            return null;
        });
        return new Issued(access, refresh, ttl, scope, userId);
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
     * Whether {@code token} was ever issued here and is still on record (expired, revoked or not): a refused token that
     * was not is a guess ({@link io.omix.server.common.http.CredentialRefusal}); one that was is a client's stale token.
     */
    public boolean issued(String token) {
        if (token == null || token.length() > 100) return false;
        return jdbc.queryOne("SELECT 1 FROM oauth_tokens WHERE token_hash = ?", rs -> 1, Secrets.hash(token)).isPresent();
    }

    /**
     * The caller an access token stands for: live (not expired, not revoked), of an enabled client,
     * and of an enabled user for user tokens. One indexed read.
     */
    public Optional<Caller> authenticate(String accessToken) {
        if (accessToken == null || accessToken.length() > 100) return Optional.empty();
        String hash = Secrets.hash(accessToken);
        // A token used again within a moment is served from the server's cache, which every revocation empties (CredentialCache).
        return platform.credentials().caller(hash, () -> jdbc.queryOne("SELECT t.client_id, t.user_id, t.grant_type, t.scope, t.expires_at, "
                        + "c.scopes AS client_scopes, u.operator FROM oauth_tokens t "
                        + "JOIN oauth_clients c ON c.client_id = t.client_id "
                        + "LEFT JOIN users u ON u.user_id = t.user_id "
                        + "WHERE t.token_hash = ? AND t.kind = 'access' AND t.revoked_at IS NULL AND t.expires_at > ? "
                        + "AND c.disabled = FALSE AND (t.user_id IS NULL OR u.disabled = FALSE)",
                rs -> {
                    // A scope the client has lost since the token was issued is lost by the token too.
                    Set<String> scopes = scopes(rs.getString("scope"));
                    SmartScopes.retainHeld(scopes, scopes(rs.getString("client_scopes")));
                    if (SmartScopes.nothingLeft(scopes, rs.getString("scope"))) return null;   // every scope it had is gone: so is the token
                    Caller caller = rs.getString("grant_type").equals(OAuthClient.CLIENT_CREDENTIALS)
                            ? Caller.clientToken(rs.getString("client_id"), scopes)
                            : Caller.userToken(rs.getString("client_id"), rs.getString("user_id"), scopes, rs.getBoolean("operator"));
                    return new io.omix.server.common.auth.CredentialCache.Verified(caller,
                            rs.getObject("expires_at", OffsetDateTime.class).toInstant().toEpochMilli());
                },
                hash, platform.now()));
    }

    /**
     * Whether what a grant handed out (upload credentials) still stands: the access token that
     * obtained it not revoked (revoking its family revokes it too), its client and its user enabled, and the
     * client still holding {@code scope} (an operator taking a scope from an application takes what it handed out).
     * {@code tokenHash} is null for what a browser session obtained: its user alone is checked.
     */
    public boolean stands(String tokenHash, String userId, String scope) {
        return jdbc.withConnection(c -> stands(c, tokenHash, userId, scope));
    }

    /**
     * Holds the row of the token {@code tokenHash} (if it is one) until {@code tx} ends: a revocation of its grant, which
     * updates that row, then waits for what {@code tx} records on the strength of it, or {@code tx} sees it. Taken
     * before any row of what the grant handed out, the order revocations and disabling take them in.
     */
    public static void holdToken(java.sql.Connection tx, String tokenHash) throws java.sql.SQLException {
        if (tokenHash == null) return;
        if (Jdbc.query(tx, "SELECT token_hash FROM oauth_tokens WHERE token_hash = ? FOR UPDATE", rs -> 1, tokenHash).isEmpty()) {
            // What a browser session obtained: its session row, which a sign-out deletes.
            Jdbc.query(tx, "SELECT session_hash FROM user_sessions WHERE session_hash = ? FOR UPDATE", rs -> 1, tokenHash);
        }
    }

    /** As {@link #stands(String, String, String)}, read in {@code c}. */
    public boolean stands(java.sql.Connection c, String tokenHash, String userId, String scope) throws java.sql.SQLException {
        if (tokenHash == null) {
            return userId != null && !Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE", rs -> 1, userId).isEmpty();
        }
        java.util.List<Boolean> token = Jdbc.query(c, "SELECT c.scopes, t.revoked_at, c.disabled, u.disabled FROM oauth_tokens t "
                        + "JOIN oauth_clients c ON c.client_id = t.client_id LEFT JOIN users u ON u.user_id = t.user_id WHERE t.token_hash = ?",
                rs -> rs.getObject(2) == null && !rs.getBoolean(3) && !rs.getBoolean(4) && scopes(rs.getString(1)).contains(scope), tokenHash);
        if (!token.isEmpty()) return token.get(0);
        return sessionStands(c, tokenHash);
    }

    /** Whether a browser session (by its hash) is still signed in, its user enabled: what it handed out lives as long. */
    private boolean sessionStands(String sessionHash) {
        return jdbc.withConnection(c -> sessionStands(c, sessionHash));
    }

    private boolean sessionStands(java.sql.Connection c, String sessionHash) throws java.sql.SQLException {
        return !Jdbc.query(c, "SELECT 1 FROM user_sessions s JOIN users u ON u.user_id = s.user_id "
                + "WHERE s.session_hash = ? AND s.expires_at > ? AND u.disabled = FALSE", rs -> 1, sessionHash, platform.now()).isEmpty();
    }

    /**
     * The grant a credential belongs to, as a signed link names it: {@code t.FAMILY} for a person's OAuth token (the
     * grant outlives each token refreshed from it), {@code c.CLIENT.GENERATION} for a client's own token, {@code s.HASH}
     * for a browser session; empty for none of them.
     */
    public Optional<String> grantOf(String credentialHash) {
        if (credentialHash == null) return Optional.empty();
        Optional<String> grant = jdbc.queryOne("SELECT t.family_id, t.grant_type, c.client_id, c.secret_hash, c.links_generation FROM oauth_tokens t"
                + " JOIN oauth_clients c ON c.client_id = t.client_id WHERE t.token_hash = ?", rs ->
                // A client's own token is one of many it takes in turn, each for two hours: its grant is the client under
                // its current secret (a rotation ends it), not a family that housekeeping removes a day after the token.
                OAuthClient.CLIENT_CREDENTIALS.equals(rs.getString(2)) ? "c." + rs.getString(3) + "." + secretGeneration(rs.getString(4), rs.getInt(5))
                        : "t." + rs.getString(1), credentialHash);
        if (grant.isPresent()) return grant;
        return sessionStands(credentialHash) ? Optional.of("s." + credentialHash) : Optional.empty();
    }

    /**
     * Which secret a client has, and how many times it was disabled: a fingerprint of its stored hash (telling nothing of the
     * secret) and of that count, so that a rotation or a disable ends the client's links for good. Links made before the
     * count existed (count 0) keep their fingerprint.
     */
    private static String secretGeneration(String secretHash, int linksGeneration) {
        String hashed = linksGeneration == 0 ? String.valueOf(secretHash) : secretHash + "/" + linksGeneration;
        return Secrets.hash(hashed).substring(0, 16);
    }

    /**
     * Whether a grant {@link #grantOf} named still stands: a token of the family neither revoked nor expired, its client and user
     * enabled and the client still holding {@code scope}; the client enabled, holding {@code scope}, its secret not
     * rotated; or the session still signed in.
     */
    public boolean grantStands(String grant, String scope) {
        if (grant == null || grant.length() < 3 || grant.length() > 100) return false;
        String id = grant.substring(2);
        if (grant.startsWith("s.")) return sessionStands(id);
        if (grant.startsWith("c.")) {
            int dot = id.lastIndexOf('.');
            if (dot < 0) return false;
            String generation = id.substring(dot + 1);
            return jdbc.queryOne("SELECT scopes, secret_hash, links_generation FROM oauth_clients WHERE client_id = ? AND disabled = FALSE",
                    rs -> scopes(rs.getString(1)).contains(scope) && Secrets.constantTimeEquals(secretGeneration(rs.getString(2), rs.getInt(3)), generation),
                    id.substring(0, dot)).orElse(false);
        }
        if (!grant.startsWith("t.")) return false;
        // A token of the family neither revoked nor expired: a family that ran out (its refresh token's time up) ends its
        // links then, not when housekeeping removes its rows.
        return jdbc.query("SELECT c.scopes FROM oauth_tokens t JOIN oauth_clients c ON c.client_id = t.client_id "
                        + "LEFT JOIN users u ON u.user_id = t.user_id "
                        + "WHERE t.family_id = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND c.disabled = FALSE AND (t.user_id IS NULL OR u.disabled = FALSE)",
                rs -> scopes(rs.getString(1)).contains(scope), id, platform.now()).contains(true);
    }

    /**
     * Who holds the grant a link names ({@link #grantOf}): {@code user:ID} for a person's token family or session,
     * {@code client:ID} for an application's own grant; empty when the grant is gone. A person's grants (several
     * applications, the console) are all the person's.
     */
    public Optional<String> holderOf(String grant) {
        return partiesOf(grant).map(GrantParties::holder);
    }

    /** The client and person of a grant {@link #grantOf} named: an application's own grant has no person, a browser session no client. */
    public record GrantParties(String clientId, String userId) {
        /** Who holds the grant ({@link #holderOf}): the person, or the application for its own. */
        public String holder() {
            return userId != null ? "user:" + userId : "client:" + clientId;
        }
    }

    /** Whose grant {@code grant} ({@link #grantOf}) is, whether or not it still stands; empty for none this platform made. */
    public Optional<GrantParties> partiesOf(String grant) {
        if (grant == null || grant.length() < 3 || grant.length() > 100) return Optional.empty();
        String id = grant.substring(2);
        if (grant.startsWith("c.")) return id.lastIndexOf('.') > 0 ? Optional.of(new GrantParties(id.substring(0, id.lastIndexOf('.')), null)) : Optional.empty();
        if (grant.startsWith("s.")) {
            return jdbc.queryOne("SELECT user_id FROM user_sessions WHERE session_hash = ?", rs -> new GrantParties(null, rs.getString(1)), id);
        }
        if (!grant.startsWith("t.")) return Optional.empty();
        return jdbc.queryOne("SELECT client_id, user_id FROM oauth_tokens WHERE family_id = ? FETCH FIRST 1 ROWS ONLY",
                rs -> new GrantParties(rs.getString(1), rs.getString(2)), id);
    }

    /**
     * Whether the grant a link names ({@link #grantOf}) still sees sample {@code biosampleId}: a person's grant or session
     * while the person is bound to it, an application's own grant while the sample is assigned to it. A link to a
     * sample's data is made for a caller who saw the sample; a person revoking the application (which takes back the
     * samples it registered for them) or an erasure ends it with the sample's visibility, not only with the grant.
     */
    public boolean grantSees(String grant, String biosampleId) {
        if (grant == null || grant.length() < 3 || grant.length() > 100) return false;
        String id = grant.substring(2);
        if (grant.startsWith("s.")) {
            return jdbc.queryOne("SELECT 1 FROM user_sessions s JOIN sample_users v ON v.user_id = s.user_id WHERE s.session_hash = ? AND v.biosample_id = ?",
                    rs -> 1, id, biosampleId).isPresent();
        }
        if (grant.startsWith("c.")) {
            int dot = id.lastIndexOf('.');
            // A sample registered on a person's behalf: while their consent to the client stands (its scopes only grow).
            return dot > 0 && jdbc.queryOne("SELECT 1 FROM sample_clients v WHERE v.client_id = ? AND v.biosample_id = ? AND (v.for_user IS NULL"
                    + " OR EXISTS (SELECT 1 FROM oauth_consents k WHERE k.user_id = v.for_user AND k.client_id = v.client_id))", rs -> 1,
                    id.substring(0, dot), biosampleId).isPresent();
        }
        return grant.startsWith("t.") && jdbc.queryOne("SELECT 1 FROM oauth_tokens t JOIN sample_users v ON v.user_id = t.user_id"
                + " WHERE t.family_id = ? AND v.biosample_id = ? FETCH FIRST 1 ROWS ONLY", rs -> 1, id, biosampleId).isPresent();
    }

    /** Whether the user and client a token was issued to are both enabled. */
    public boolean holdersEnabled(Token t) {
        boolean client = jdbc.queryOne("SELECT 1 FROM oauth_clients WHERE client_id = ? AND disabled = FALSE", rs -> 1, t.clientId()).isPresent();
        return client && (t.userId() == null
                || jdbc.queryOne("SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE", rs -> 1, t.userId()).isPresent());
    }

    public static Set<String> scopes(String scope) {
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
        platform.credentials().changed();
    }

    public void revokeFamily(String familyId) {
        jdbc.update("UPDATE oauth_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", platform.now(), familyId);
        platform.credentials().changed();
    }

    /**
     * What a second use of a code triggers: the code is marked replayed and every token descended from it
     * revoked (the tokens rotated from its refresh token carry no code but share its family, so the whole
     * family goes). The mark waits for an exchange of the same code still storing its tokens, whose
     * tokens the revocation then sees; an exchange that comes after the mark is refused (issue).
     */
    public void revokeReplayedCode(String codeHash) {
        OffsetDateTime now = platform.now();
        jdbc.inTransaction(c -> {
            Jdbc.update(c, "UPDATE oauth_codes SET replayed_at = COALESCE(replayed_at, ?) WHERE code_hash = ?", now, codeHash);
            Jdbc.update(c, "UPDATE oauth_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id IN "
                    + "(SELECT family_id FROM oauth_tokens WHERE code_hash = ?)", now, codeHash);
            return null;
        });
        platform.credentials().changed();
    }
}
