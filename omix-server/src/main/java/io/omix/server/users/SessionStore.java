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

    /** Starts a session and returns its id (for the cookie; only its hash is stored). */
    public String start(String userId) {
        String id = Secrets.token("ses_");
        OffsetDateTime now = platform.now();
        jdbc.update("DELETE FROM user_sessions WHERE expires_at < ?", now);
        jdbc.update("INSERT INTO user_sessions (session_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                Secrets.hash(id), userId, now, now.plus(LIFETIME));
        return id;
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
