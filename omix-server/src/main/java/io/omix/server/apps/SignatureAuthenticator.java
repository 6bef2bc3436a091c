package io.omix.server.apps;

import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.GroupCommit;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Verifies signed private-platform requests: the app exists and is enabled, the timestamp is within
 * 5 minutes, the HMAC matches (constant time), and the nonce was not seen (recorded in the
 * database, so a replay to another server is refused too). The nonce is recorded only after the
 * signature checks, so forged requests cannot use up nonces.
 */
final class SignatureAuthenticator implements Authenticator {
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");

    private final Platform platform;
    private final PrivateAppStore apps;
    private final Jdbc jdbc;

    SignatureAuthenticator(Platform platform, PrivateAppStore apps) {
        this.platform = platform;
        this.apps = apps;
        this.jdbc = platform.database().jdbc();
    }

    @Override
    public Caller authenticate(ApiRequest request, Access required) {
        String appKey = request.header(RequestSignature.APP_KEY);
        String timestamp = request.header(RequestSignature.TIMESTAMP);
        String nonce = request.header(RequestSignature.NONCE);
        String signature = request.header(RequestSignature.SIGNATURE);
        if (appKey == null || signature == null) throw refused(Map.of("header", "X-Omix-App-Key and X-Omix-Signature are required"));
        if (timestamp == null || !TIMESTAMP.matcher(timestamp).matches()) {
            throw refused(Map.of("header", "X-Omix-Timestamp must be the Unix time in seconds"));
        }
        if (nonce == null || !NONCE.matcher(nonce).matches()) throw refused(Map.of("header", "X-Omix-Nonce must be 16-64 of A-Z a-z 0-9 _ -"));
        PrivateAppStore.Credentials app = apps.credentialsOf(appKey).orElse(null);
        String secret = app == null ? null : app.secret();
        OffsetDateTime now = platform.now();
        long sentAt = Long.parseLong(timestamp);
        long skew = Math.abs(now.toEpochSecond() - sentAt);
        String expected = RequestSignature.sign(secret == null ? "unknown-app" : secret, RequestSignature.canonical(
                request.ctx().method().name(), request.ctx().path(), request.ctx().queryString(), request.ctx().bodyAsBytes(),
                timestamp, nonce));
        boolean matches = Secrets.constantTimeEquals(expected, signature);
        if (secret == null || !matches) throw refused(null);
        if (skew > WINDOW.getSeconds()) throw new ApiException(ErrorCode.REQUEST_EXPIRED, Map.of("server_time", now.toEpochSecond()));
        if (request.nonceInWrite()) {
            // A replay of a call answered before is refused here, before the rate limit, an Idempotency-Key's
            // claim or the handler see it; the write's unique key refuses the copies that race their original.
            if (!jdbc.query("SELECT 1 FROM private_nonces WHERE app_key = ? AND nonce = ?", rs -> 1, appKey, nonce).isEmpty()) {
                throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            }
            request.pendingNonce(new Pending(use(appKey, nonce, sentAt, now)));
        } else {
            recordNonce(use(appKey, nonce, sentAt, now));
        }
        return Caller.privateApp(appKey, app.namespace());
    }

    private record NonceUse(String appKey, String nonce, OffsetDateTime expiresAt) {}

    // Concurrent requests record their nonces in one transaction: each H2 commit writes to the
    // database file, and a commit per call was 17 % of the server's CPU under ingest load
    // (docs/benchmarks.md, streams).
    private final GroupCommit<NonceUse, Boolean> nonces = new GroupCommit<>(this::recordNonces);

    private NonceUse use(String appKey, String nonce, long timestamp, OffsetDateTime now) {
        if (ThreadLocalRandom.current().nextInt(100) == 0) {
            jdbc.update("DELETE FROM private_nonces WHERE expires_at < ?", now);
        }
        // Kept until no server would take the request's timestamp any more (one window past it), and one window
        // longer for servers whose clocks differ: counted from the later of the timestamp and this server's time,
        // since a client whose clock runs a window fast leaves no margin counted from this server's time alone.
        OffsetDateTime from = now.toEpochSecond() >= timestamp ? now : OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(timestamp), java.time.ZoneOffset.UTC);
        return new NonceUse(appKey, nonce, from.plus(WINDOW.multipliedBy(2)));
    }

    /** A nonce its route's write records in its own transaction; on its own if no write did. */
    private final class Pending implements io.omix.server.common.auth.PendingNonce {
        private final NonceUse use;
        private volatile boolean recorded;
        private volatile boolean refused;

        Pending(NonceUse use) {
            this.use = use;
        }

        @Override
        public String sortKey() {
            return use.appKey() + '\n' + use.nonce();
        }

        @Override
        public void insertWith(java.sql.Connection c) throws java.sql.SQLException {
            Jdbc.update(c, INSERT_NONCE, use.appKey(), use.nonce(), use.expiresAt());
        }

        @Override
        public void written() {
            recorded = true;
        }

        @Override
        public void record() {
            if (recorded) return;
            if (refused) throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            try {
                recordNonce(use);
            } catch (ApiException replayed) {
                refused = true;
                throw replayed;
            }
            recorded = true;
        }
    }

    private void recordNonce(NonceUse use) {
        if (nonces.submit(use).isPresent()) return;
        // The group held a nonce seen before (perhaps this one): record this one alone to know.
        try {
            jdbc.update(INSERT_NONCE, use.appKey(), use.nonce(), use.expiresAt());
        } catch (Jdbc.DataAccessException e) {
            if (e.isIntegrityViolation()) throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            throw e;
        }
    }

    private static final String INSERT_NONCE = "INSERT INTO private_nonces (app_key, nonce, expires_at) VALUES (?, ?, ?)";

    /** All of a group's nonces in one transaction; empty when one of them was seen before (none is then recorded). */
    private Optional<List<Boolean>> recordNonces(List<NonceUse> group) {
        try {
            jdbc.inTransaction(c -> {
                try (PreparedStatement insert = c.prepareStatement(INSERT_NONCE)) {
                    // Always in one order, so that two groups inserting the same nonces never wait on each other in a cycle.
                    List<NonceUse> ordered = new java.util.ArrayList<>(group);
                    ordered.sort(java.util.Comparator.comparing(NonceUse::appKey).thenComparing(NonceUse::nonce));
                    for (NonceUse use : ordered) {
                        Jdbc.bind(insert, use.appKey(), use.nonce(), use.expiresAt());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                return null;
            });
            return Optional.of(java.util.Collections.nCopies(group.size(), Boolean.TRUE));
        } catch (Jdbc.DataAccessException e) {
            if (e.isIntegrityViolation()) return Optional.empty();
            throw e;
        }
    }

    private static ApiException refused(Object data) {
        return new ApiException(ErrorCode.SIGNATURE_INVALID, data);
    }
}
