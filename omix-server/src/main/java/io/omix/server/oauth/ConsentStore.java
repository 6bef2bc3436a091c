package io.omix.server.oauth;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What each person has allowed each application (consent), remembered so that the consent page asks
 * again only for what is new, and taken back with every credential the application holds for them.
 */
public final class ConsentStore {
    /** One application a person authorized; {@code lastUsed} from the audit trail (null when never). */
    public record Grant(String clientId, String clientName, Set<String> scopes, OffsetDateTime grantedAt, OffsetDateTime updatedAt,
                        OffsetDateTime lastUsed) {}

    private final Platform platform;
    private final Jdbc jdbc;

    public ConsentStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** The scopes {@code userId} has allowed {@code clientId} (empty when none). */
    public Set<String> granted(String userId, String clientId) {
        return jdbc.queryOne("SELECT scope FROM oauth_consents WHERE user_id = ? AND client_id = ?", rs -> TokenStore.scopes(rs.getString(1)),
                userId, clientId).orElse(Set.of());
    }

    /** Adds {@code scopes} to what {@code userId} allowed {@code clientId}. */
    public void remember(String userId, String clientId, Set<String> scopes) {
        OffsetDateTime now = platform.now();
        jdbc.inTransaction(c -> remember(c, userId, clientId, scopes, false, now));
    }

    /**
     * Adds {@code scopes} to what {@code userId} allowed {@code clientId}, in the caller's transaction, the consent's row
     * held until it ends (a revocation in flight waits, or came first and is seen).
     *
     * @param alreadyAllowed the person was not asked, their consent covering the scopes: it must still cover them
     * @return the consent's scopes now, or null when {@code alreadyAllowed} and the consent no longer covers the scopes
     *         (revoked meanwhile)
     */
    static Set<String> remember(java.sql.Connection c, String userId, String clientId, Set<String> scopes, boolean alreadyAllowed,
                                OffsetDateTime now) throws java.sql.SQLException {
        List<String> held = Jdbc.query(c, "SELECT scope FROM oauth_consents WHERE user_id = ? AND client_id = ? FOR UPDATE",
                rs -> rs.getString(1), userId, clientId);
        Set<String> consent = held.isEmpty() ? null : TokenStore.scopes(held.get(0));
        if (alreadyAllowed) return consent != null && consent.containsAll(scopes) ? consent : null;
        // A second approval of the same first consent at the same moment (a double click, two tabs) inserts it too: the
        // later one then adds to the row the first wrote, as to any consent, instead of failing on its key (and inserts
        // again if a revocation took that row meanwhile).
        for (int attempt = 0; consent == null; attempt++) {
            requireFits(String.join(" ", scopes));
            java.sql.Savepoint before = c.setSavepoint();
            try {
                Jdbc.update(c, "INSERT INTO oauth_consents (user_id, client_id, scope, granted_at, updated_at) VALUES (?,?,?,?,?)",
                        userId, clientId, String.join(" ", scopes), now, now);
                c.releaseSavepoint(before);
                return scopes;
            } catch (java.sql.SQLException e) {
                if (!"23505".equals(e.getSQLState()) || attempt == 2) throw e;
                c.rollback(before);
            }
            held = Jdbc.query(c, "SELECT scope FROM oauth_consents WHERE user_id = ? AND client_id = ? FOR UPDATE", rs -> rs.getString(1),
                    userId, clientId);
            consent = held.isEmpty() ? null : TokenStore.scopes(held.get(0));
        }
        Set<String> all = new LinkedHashSet<>(consent);
        if (all.addAll(scopes)) {
            requireFits(String.join(" ", all));
            Jdbc.update(c, "UPDATE oauth_consents SET scope = ?, updated_at = ? WHERE user_id = ? AND client_id = ?",
                    String.join(" ", all), now, userId, clientId);
        }
        return all;
    }

    /** What a consent, and a code's grant, may name: their columns' size. */
    public static final int MAX_SCOPE_CHARS = 1000;

    /** A consent (or a code's grant) that would name more than {@link #MAX_SCOPE_CHARS}: the approval is refused as invalid_scope. */
    public static final class TooManyScopes extends RuntimeException {
        public TooManyScopes() {
            super("this application's grant would name more than " + MAX_SCOPE_CHARS + " characters of scopes; ask for fewer", null, false, false);
        }
    }

    /**
     * Refuses a grant longer than its column: SMART scopes narrowed by a query, each accepted, grow a person's consent for
     * an application approval by approval, and the one that passed the column failed with the database's error (500), every
     * later widening of that grant with it.
     */
    static void requireFits(String scopes) {
        if (scopes.length() > MAX_SCOPE_CHARS) throw new TooManyScopes();
    }

    /** Every application {@code userId} authorized, most recently granted first. */
    public List<Grant> grantsOf(String userId) {
        List<Grant> grants = jdbc.query("SELECT g.client_id, c.name, g.scope, g.granted_at, g.updated_at"
                        + " FROM oauth_consents g JOIN oauth_clients c ON c.client_id = g.client_id WHERE g.user_id = ? ORDER BY g.updated_at DESC",
                rs -> new Grant(rs.getString(1), rs.getString(2), TokenStore.scopes(rs.getString(3)), rs.getObject(4, OffsetDateTime.class),
                        rs.getObject(5, OffsetDateTime.class), null), userId);
        // last_used comes from the trail (this server's latest calls included).
        java.util.Map<String, OffsetDateTime> lastUses = platform.audit().lastUses(userId, grants.stream().map(Grant::clientId).toList());
        return grants.stream().map(g -> new Grant(g.clientId(), g.clientName(), g.scopes(), g.grantedAt(), g.updatedAt(), lastUses.get(g.clientId()))).toList();
    }

    /**
     * Takes back what {@code userId} allowed {@code clientId}: the consent, every access and refresh
     * token of the pair, codes not yet exchanged and the application's access to the samples it registered
     * on the person's behalf, in one transaction. Upload credentials and model
     * invocation tokens stand on those tokens and die with them; every server forgets the tokens it
     * had verified (this one at once, the others within a tenth of a second). False when there was nothing to take back.
     */
    public boolean revoke(String userId, String clientId) {
        OffsetDateTime now = platform.now();
        boolean revoked = jdbc.inTransaction(c -> {
            // Only where there is a grant to take back: nobody learns through a revocation which samples are whose.
            boolean granted = !Jdbc.query(c, "SELECT 1 FROM oauth_consents WHERE user_id = ? AND client_id = ?", rs -> 1, userId, clientId).isEmpty()
                    || !Jdbc.query(c, "SELECT 1 FROM oauth_tokens WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL", rs -> 1, clientId, userId).isEmpty()
                    || !Jdbc.query(c, "SELECT 1 FROM oauth_codes WHERE client_id = ? AND user_id = ? AND used_at IS NULL", rs -> 1, clientId, userId).isEmpty();
            if (!granted) return false;
            // The application's access to the samples it registered on the person's behalf (for_user): its client-credentials
            // tokens would otherwise go on reading what the person took back. Samples an operator assigned it stay. These
            // rows first, as erasure takes them first too (one order of locks, so that the two never wait on each other).
            io.omix.server.samples.SampleStore.dropClientAccess(c, "client_id = ? AND for_user = ?", clientId, userId);
            Jdbc.update(c, "DELETE FROM oauth_consents WHERE user_id = ? AND client_id = ?", userId, clientId);
            // Again once the consent's row is ours: a registration through the application that held it (SampleStore.register
            // locks it) committed its row meanwhile, and would otherwise outlive the consent, to come back with a new one.
            io.omix.server.samples.SampleStore.dropClientAccess(c, "client_id = ? AND for_user = ?", clientId, userId);
            Jdbc.update(c, "UPDATE oauth_tokens SET revoked_at = ? WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL", now, clientId, userId);
            Jdbc.update(c, "UPDATE oauth_codes SET used_at = ? WHERE client_id = ? AND user_id = ? AND used_at IS NULL", now, clientId, userId);
            // Answers kept for the grant's Idempotency-Key repeats: a grant given again (the same owner of keys) would
            // otherwise be answered copies of what was read under the one taken back.
            Jdbc.update(c, "DELETE FROM idempotency_keys WHERE owner = ?", io.omix.server.common.http.Idempotency.ownerOf(userId, clientId));
            io.omix.server.webhooks.WebhookEvents.publish(c, now, "client:" + clientId, io.omix.server.webhooks.WebhookEvents.GRANT_REVOKED,
                    java.util.Map.of("user_id", userId));
            return true;
        });
        if (revoked) platform.credentials().changed();
        return revoked;
    }
}
