package io.omix.server.users;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Slows down password guessing: after {@value #MAX_FAILURES} failed sign-ins for one username within
 * {@link #WINDOW}, that username is locked for {@link #LOCK}. Kept in the database so that every
 * server counts the same failures. Usernames that do not exist are counted too, so the lock says
 * nothing about which exist.
 */
public final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration LOCK = Duration.ofMinutes(15);

    private final Platform platform;
    private final Jdbc jdbc;

    public LoginThrottle(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** When the username may try again, if it is locked now. */
    public Optional<OffsetDateTime> lockedUntil(String username) {
        OffsetDateTime now = platform.now();
        return jdbc.query("SELECT locked_until FROM login_failures WHERE username = ? AND locked_until IS NOT NULL",
                rs -> rs.getObject(1, OffsetDateTime.class), key(username)).stream().filter(t -> t.isAfter(now)).findFirst();
    }

    public void failed(String username) {
        try {
            count(key(username));
        } catch (Jdbc.DataAccessException firstFailureRace) {
            // Another server inserted this username's first failure at the same moment: count on its row.
            count(key(username));
        }
    }

    private void count(String key) {
        OffsetDateTime now = platform.now();
        jdbc.inTransaction(c -> {
            Optional<Object[]> row = Jdbc.query(c, "SELECT failures, window_start FROM login_failures WHERE username = ? FOR UPDATE",
                    rs -> new Object[] {rs.getInt(1), rs.getObject(2, OffsetDateTime.class)}, key).stream().findFirst();
            if (row.isEmpty()) {
                Jdbc.update(c, "INSERT INTO login_failures (username, failures, window_start) VALUES (?, 1, ?)", key, now);
                return null;
            }
            boolean sameWindow = ((OffsetDateTime) row.get()[1]).plus(WINDOW).isAfter(now);
            int failures = sameWindow ? (Integer) row.get()[0] + 1 : 1;
            Jdbc.update(c, "UPDATE login_failures SET failures = ?, window_start = ?, locked_until = ? WHERE username = ?",
                    failures, sameWindow ? row.get()[1] : now, failures >= MAX_FAILURES ? now.plus(LOCK) : null, key);
            return null;
        });
    }

    public void succeeded(String username) {
        jdbc.update("DELETE FROM login_failures WHERE username = ?", key(username));
    }

    private static String key(String username) {
        String k = username == null ? "" : username.trim();
        return k.length() > 64 ? k.substring(0, 64) : k;
    }
}
