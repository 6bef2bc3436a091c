package io.omix.server.apps;

import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
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
        long skew = Math.abs(now.toEpochSecond() - Long.parseLong(timestamp));
        String expected = RequestSignature.sign(secret == null ? "unknown-app" : secret, RequestSignature.canonical(
                request.ctx().method().name(), request.ctx().path(), request.ctx().queryString(), request.ctx().bodyAsBytes(),
                timestamp, nonce));
        boolean matches = Secrets.constantTimeEquals(expected, signature);
        if (secret == null || !matches) throw refused(null);
        if (skew > WINDOW.getSeconds()) throw new ApiException(ErrorCode.REQUEST_EXPIRED, Map.of("server_time", now.toEpochSecond()));
        recordNonce(appKey, nonce, now);
        return Caller.privateApp(appKey, app.namespace());
    }

    private void recordNonce(String appKey, String nonce, OffsetDateTime now) {
        if (ThreadLocalRandom.current().nextInt(100) == 0) {
            jdbc.update("DELETE FROM private_nonces WHERE expires_at < ?", now);
        }
        try {
            // Kept for twice the window: a timestamp may be up to one window in the past or future.
            jdbc.update("INSERT INTO private_nonces (app_key, nonce, expires_at) VALUES (?, ?, ?)", appKey, nonce, now.plus(WINDOW.multipliedBy(2)));
        } catch (Jdbc.DataAccessException e) {
            if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            }
            throw e;
        }
    }

    private static ApiException refused(Object data) {
        return new ApiException(ErrorCode.SIGNATURE_INVALID, data);
    }
}
