package io.omix.server.users;

import io.omix.server.Platform;
import io.omix.server.common.db.Jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Slows down password guessing, in the database so that every server counts the same attempts.
 * Every attempt is counted <em>before</em> its password is checked, in one transaction holding the
 * counter's row, so that however many arrive at once, at most {@value #MAX_PER_ACCOUNT} passwords
 * of one account are checked from one source address within {@link #WINDOW}, and at most
 * {@value #MAX_PER_SOURCE} failed ones from one source over all accounts. A sign-in resets its
 * account's count for that source and is not counted against the source. The account lock is per source address: someone guessing from elsewhere cannot
 * keep an account's owner out. Usernames that do not exist are counted too, so a lock says nothing
 * about which exist.
 * <p>
 * Many addresses (a botnet) each get their own allowance, so an account also has one over all of them:
 * {@value #MAX_PER_ACCOUNT_ALL_SOURCES} attempts within {@link #WINDOW}, after which it is locked for {@link #LOCK} to
 * every address from which nobody signed in to it in the last {@link #KNOWN_SOURCE} (its owner's usual places
 * go on; a stranger's guesses cannot keep the owner out there).
 */
public final class LoginThrottle {
    static final int MAX_PER_ACCOUNT = 5;
    static final int MAX_PER_SOURCE = 50;
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration LOCK = Duration.ofMinutes(15);
    static final int MAX_PER_ACCOUNT_ALL_SOURCES = 100;
    static final Duration KNOWN_SOURCE = Duration.ofDays(90);

    private final Platform platform;
    private final Jdbc jdbc;

    public LoginThrottle(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /**
     * Counts an attempt to sign in as {@code username} from {@code source}: true when its password
     * may be checked now, false when the account (for this source) or the source is locked.
     */
    public boolean admit(String username, String source) {
        String from = io.omix.server.common.http.ClientAddress.subscriber(source);
        String src = "s:" + clip(from, 60);
        String account = "a:" + clip(username, 64) + "|" + clip(from, 60);
        return take(src, MAX_PER_SOURCE) && (known(username, from) || take(allSources(username), MAX_PER_ACCOUNT_ALL_SOURCES))
                && take(account, MAX_PER_ACCOUNT);
    }

    /**
     * A sign-in: the account's count from this source starts again, the source's and the account's over all sources
     * take back this attempt, and the source is remembered as one the account is used from.
     */
    public void succeeded(String username, String source) {
        String from = io.omix.server.common.http.ClientAddress.subscriber(source);
        OffsetDateTime now = platform.now();
        jdbc.update("DELETE FROM login_failures WHERE username = ?", "a:" + clip(username, 64) + "|" + clip(from, 60));
        jdbc.update("UPDATE login_failures SET failures = failures - 1 WHERE username IN (?, ?) AND failures > 0", "s:" + clip(from, 60),
                allSources(username));
        String known = knownKey(username, from);
        if (jdbc.update("UPDATE login_failures SET window_start = ? WHERE username = ?", now, known) == 0) {
            try {
                jdbc.update("INSERT INTO login_failures (username, failures, window_start) VALUES (?, 0, ?)", known, now);
            } catch (Jdbc.DataAccessException sameMomentElsewhere) {
                // another server remembered it at the same moment
            }
        }
    }

    /** Whether someone signed in to the account from this source within {@link #KNOWN_SOURCE}. */
    private boolean known(String username, String from) {
        return jdbc.queryOne("SELECT 1 FROM login_failures WHERE username = ? AND window_start > ?", rs -> 1, knownKey(username, from),
                platform.now().minus(KNOWN_SOURCE)).isPresent();
    }

    private static String knownKey(String username, String from) {
        return "k:" + clip(username, 64) + "|" + clip(from, 60);
    }

    private static String allSources(String username) {
        return "g:" + clip(username, 64);
    }

    /**
     * The keys of one account's rows: every key but a source's own ("s:") names the account, as {@code g:username}
     * or {@code a:username|source} / {@code k:username|source}. For erasure: a LIKE pattern, the username escaped.
     */
    public static java.util.List<Object> accountKeys(String username) {
        String u = Jdbc.likeEscaped(clip(username, 64));
        return java.util.List.of(allSources(username), "a:" + u + "|%", "k:" + u + "|%");
    }

    /** What housekeeping removes: counts a day past their window, and sources not used for {@link #KNOWN_SOURCE}. */
    public static int removeStale(Jdbc jdbc, OffsetDateTime now) {
        return jdbc.update("DELETE FROM login_failures WHERE username NOT LIKE 'k:%' AND window_start < ? AND (locked_until IS NULL OR locked_until < ?)",
                now.minusDays(1), now) + jdbc.update("DELETE FROM login_failures WHERE username LIKE 'k:%' AND window_start < ?", now.minus(KNOWN_SOURCE));
    }

    private boolean take(String key, int max) {
        try {
            return count(key, max);
        } catch (Jdbc.DataAccessException firstAttemptRace) {
            // Another server inserted this key's first attempt at the same moment: count on its row.
            return count(key, max);
        }
    }

    private boolean count(String key, int max) {
        OffsetDateTime now = platform.now();
        return jdbc.inTransaction(c -> {
            Optional<Object[]> row = Jdbc.query(c, "SELECT failures, window_start, locked_until FROM login_failures WHERE username = ? FOR UPDATE",
                    rs -> new Object[] {rs.getInt(1), rs.getObject(2, OffsetDateTime.class), rs.getObject(3, OffsetDateTime.class)}, key)
                    .stream().findFirst();
            if (row.isEmpty()) {
                Jdbc.update(c, "INSERT INTO login_failures (username, failures, window_start) VALUES (?, 1, ?)", key, now);
                return true;
            }
            OffsetDateTime locked = (OffsetDateTime) row.get()[2];
            if (locked != null && locked.isAfter(now)) return false;
            boolean sameWindow = locked == null && ((OffsetDateTime) row.get()[1]).plus(WINDOW).isAfter(now);
            int attempts = sameWindow ? (Integer) row.get()[0] + 1 : 1;
            if (attempts > max) {
                Jdbc.update(c, "UPDATE login_failures SET locked_until = ? WHERE username = ?", now.plus(LOCK), key);
                return false;
            }
            Jdbc.update(c, "UPDATE login_failures SET failures = ?, window_start = ?, locked_until = NULL WHERE username = ?",
                    attempts, sameWindow ? row.get()[1] : now, key);
            return true;
        });
    }

    /** A key's part: trimmed, and cut to what its column holds. */
    private static String clip(String s, int max) {
        return io.omix.server.common.validation.Texts.cut(s == null ? "" : s.trim(), max);
    }
}
