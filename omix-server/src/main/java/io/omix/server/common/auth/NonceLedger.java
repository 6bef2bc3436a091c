package io.omix.server.common.auth;

import io.omix.server.common.db.GroupCommit;
import io.omix.server.common.db.Jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The nonces of signed requests seen within their window, kept in the database so that a replay to
 * another server of the deployment is refused too: private-platform apps' requests (holder: the app
 * key) and requests made with upload credentials (holder: {@link #uploadHolder}). Housekeeping removes
 * them once no server would take their timestamp.
 */
public final class NonceLedger {
    /** What a nonce must look like before it is recorded (docs/api.md). */
    public static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final String INSERT = "INSERT INTO private_nonces (app_key, nonce, expires_at) VALUES (?, ?, ?)";

    /** A nonce's use by its holder, kept until {@code expiresAt}. */
    public record Use(String holder, String nonce, OffsetDateTime expiresAt) {}

    private final Jdbc jdbc;
    // Concurrent requests record their nonces in one transaction: each H2 commit writes to the
    // database file, and a commit per call was 17 % of the server's CPU under ingest load
    // (docs/benchmarks.md, streams).
    private final GroupCommit<Use, Boolean> group = new GroupCommit<>(this::recordGroup);

    public NonceLedger(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The holder under which upload credentials' nonces are kept: never an app key, which has no colon. */
    public static String uploadHolder(String accessKeyId) {
        return "upload:" + accessKeyId;
    }

    /**
     * A nonce's use, kept until no server would take the request's timestamp any more (one window past it)
     * and one window longer for servers whose clocks differ: counted from the later of the timestamp and
     * this server's time, since a client whose clock runs a window fast leaves no margin counted from this
     * server's time alone.
     */
    public Use use(String holder, String nonce, long timestamp, OffsetDateTime now, Duration window) {
        if (ThreadLocalRandom.current().nextInt(100) == 0) {
            jdbc.update("DELETE FROM private_nonces WHERE expires_at < ?", now);
        }
        OffsetDateTime from = now.toEpochSecond() >= timestamp ? now : OffsetDateTime.ofInstant(Instant.ofEpochSecond(timestamp), ZoneOffset.UTC);
        return new Use(holder, nonce, from.plus(window.multipliedBy(2)));
    }

    /** Whether the holder used this nonce before (a replay of a request answered before). */
    public boolean seen(String holder, String nonce) {
        return !jdbc.query("SELECT 1 FROM private_nonces WHERE app_key = ? AND nonce = ?", rs -> 1, holder, nonce).isEmpty();
    }

    /** Inserts the use through {@code c}, in a write's own transaction (a duplicate key when it was used before). */
    public static void insertWith(Connection c, Use use) throws SQLException {
        Jdbc.update(c, INSERT, use.holder(), use.nonce(), use.expiresAt());
    }

    /** Records the use: false when the holder used the nonce before. */
    public boolean record(Use use) {
        if (group.submit(use).isPresent()) return true;
        // The group held a nonce seen before (perhaps this one): record this one alone to know.
        try {
            jdbc.update(INSERT, use.holder(), use.nonce(), use.expiresAt());
            return true;
        } catch (Jdbc.DataAccessException e) {
            if (e.isIntegrityViolation()) return false;
            throw e;
        }
    }

    /** All of a group's nonces in one transaction; empty when one of them was seen before (none is then recorded). */
    private Optional<List<Boolean>> recordGroup(List<Use> uses) {
        try {
            jdbc.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                    // Always in one order, so that two groups inserting the same nonces never wait on each other in a cycle.
                    List<Use> ordered = new ArrayList<>(uses);
                    ordered.sort(Comparator.comparing(Use::holder).thenComparing(Use::nonce));
                    for (Use use : ordered) {
                        Jdbc.bind(insert, use.holder(), use.nonce(), use.expiresAt());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
            return Optional.of(Collections.nCopies(uses.size(), Boolean.TRUE));
        } catch (Jdbc.DataAccessException e) {
            if (e.isIntegrityViolation()) return Optional.empty();
            throw e;
        }
    }
}
