package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Authorization codes: single use, 10 minutes, bound to client, user, redirect URI and PKCE challenge. */
public final class CodeStore {
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    /** Used and expired codes are kept a day longer, so that a late replay is still recognised as one. */
    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofDays(1);

    public record Code(String hash, String clientId, String userId, String redirectUri, String scope,
                       String codeChallenge, OffsetDateTime expiresAt, OffsetDateTime usedAt) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public CodeStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /**
     * Issues a code for a person's approval, remembered as their consent in the same transaction; only its hash is
     * stored. The user's, client's and session's rows are held and checked first, so that a disable, sign-out or
     * revocation in flight either waits and then voids this code with the others, or came first and no code is made.
     *
     * @param sessionHash    the hash of the browser session the person approved in
     * @param alreadyAllowed the person was not asked (their consent covered the scopes): it must still cover them
     * @return the code; empty when the user or client was disabled, the session ended or the consent revoked meanwhile
     */
    public Optional<String> createApproved(String clientId, String userId, String sessionHash, String redirectUri, String scope,
                                           String codeChallenge, boolean alreadyAllowed) {
        String code = Secrets.token("oac_");
        OffsetDateTime now = platform.now();
        jdbc.update("DELETE FROM oauth_codes WHERE expires_at < ?", now.minus(KEEP_AFTER_EXPIRY));
        String held = platform.database().holdRows();
        boolean made = jdbc.inTransaction(c -> {
            // The client's row before the user's, as a token's issue takes them: on H2 (FOR UPDATE) the other order deadlocks.
            if (Jdbc.query(c, "SELECT 1 FROM oauth_clients WHERE client_id = ? AND disabled = FALSE" + held, rs -> 1, clientId).isEmpty()) return false;
            if (Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE" + held, rs -> 1, userId).isEmpty()) return false;
            if (Jdbc.query(c, "SELECT 1 FROM user_sessions WHERE session_hash = ? AND user_id = ? AND expires_at > ?" + held, rs -> 1,
                    sessionHash, userId, now).isEmpty()) {
                return false;
            }
            java.util.Set<String> consent = ConsentStore.remember(c, userId, clientId, TokenStore.scopes(scope), alreadyAllowed, now);
            if (consent == null) return false;
            // Asked by an application the person allowed in SMART's words, the code carries the consent's SMART resource
            // scopes over what it grants, on every resource the request does not name in SMART's words: an app allowed
            // patient/Observation.rs cannot lift its limit to reading by asking for streams again, nor one allowed
            // patient/DocumentReference.rs by asking for "files patient/Patient.rs" (the person would not be asked, or be
            // shown the same words).
            java.util.Set<String> asked = TokenStore.scopes(scope);
            java.util.Set<String> limited = new java.util.LinkedHashSet<>(asked);
            java.util.Set<String> granting = new java.util.LinkedHashSet<>(asked);
            granting.addAll(SmartScopes.platformView(asked));
            limited.addAll(SmartScopes.restrictionsFor(consent, granting, asked));
            String granted = String.join(" ", limited);
            ConsentStore.requireFits(granted);
            Jdbc.update(c, "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, created_at, expires_at) "
                    + "VALUES (?,?,?,?,?,?,?,?)", Secrets.hash(code), clientId, userId, redirectUri, granted, codeChallenge, now, now.plus(LIFETIME));
            return true;
        });
        return made ? Optional.of(code) : Optional.empty();
    }

    public Optional<Code> find(String code) {
        if (code == null || code.length() > 100) return Optional.empty();
        return jdbc.queryOne("SELECT * FROM oauth_codes WHERE code_hash = ?", rs -> new Code(rs.getString("code_hash"),
                rs.getString("client_id"), rs.getString("user_id"), rs.getString("redirect_uri"), rs.getString("scope"),
                rs.getString("code_challenge"), rs.getObject("expires_at", OffsetDateTime.class),
                rs.getObject("used_at", OffsetDateTime.class)), Secrets.hash(code));
    }

    /** Marks the code used; false when another exchange got there first (the database decides, across servers). */
    public boolean markUsed(String codeHash) {
        return jdbc.update("UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", platform.now(), codeHash) == 1;
    }
}
