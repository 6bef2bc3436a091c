package io.omix.server.users;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Browser sessions after a login, kept in the database (hashed) so that any server recognises them. */
public final class SessionStore {
    public static final Duration LIFETIME = Duration.ofHours(12);
    private final Platform platform;
    private final Jdbc jdbc;

    public SessionStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** Starts a session and returns its id (for the cookie; only its hash is stored); none for a disabled user. */
    public Optional<String> start(String userId) {
        String id = Secrets.token("ses_");
        OffsetDateTime now = platform.now();
        jdbc.update("DELETE FROM user_sessions WHERE expires_at < ?", now);
        String held = platform.database().holdRows();
        boolean started = jdbc.inTransaction(c -> {
            // The user's row held: a disable in flight waits and then removes this session, or comes first and is seen.
            if (Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ? AND disabled = FALSE" + held, rs -> 1, userId).isEmpty()) return false;
            Jdbc.update(c, "INSERT INTO user_sessions (session_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    Secrets.hash(id), userId, now, now.plus(LIFETIME));
            return true;
        });
        return started ? Optional.of(id) : Optional.empty();
    }

    /** The user of a live session whose user is still enabled. */
    public Optional<String> userOf(String sessionId) {
        if (sessionId == null || sessionId.length() > 100) return Optional.empty();
        return jdbc.queryOne("SELECT s.user_id FROM user_sessions s JOIN users u ON u.user_id = s.user_id "
                        + "WHERE s.session_hash = ? AND s.expires_at > ? AND u.disabled = FALSE",
                rs -> rs.getString(1), Secrets.hash(sessionId), platform.now());
    }

    public void end(String sessionId) {
        if (sessionId != null) jdbc.update("DELETE FROM user_sessions WHERE session_hash = ?", Secrets.hash(sessionId));
    }
}
