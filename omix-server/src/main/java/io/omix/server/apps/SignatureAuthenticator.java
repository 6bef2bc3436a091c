package io.omix.server.apps;

import io.omix.server.Platform;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.NonceLedger;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Verifies signed private-platform requests: the app exists and is enabled, the timestamp is within
 * 5 minutes, the HMAC matches (constant time), and the nonce was not seen (recorded in the
 * database, so a replay to another server is refused too). The nonce is recorded only after the
 * signature checks, so forged requests cannot use up nonces.
 */
final class SignatureAuthenticator implements Authenticator {
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");

    private final Platform platform;
    private final PrivateAppStore apps;
    private final NonceLedger nonces;

    SignatureAuthenticator(Platform platform, PrivateAppStore apps) {
        this.platform = platform;
        this.apps = apps;
        this.nonces = new NonceLedger(platform.database().jdbc());
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
        if (nonce == null || !NonceLedger.FORMAT.matcher(nonce).matches()) throw refused(Map.of("header", "X-Omix-Nonce must be 16-64 of A-Z a-z 0-9 _ -"));
        PrivateAppStore.Credentials app = apps.credentialsOf(appKey).orElse(null);
        // An app key is an identifier, not a secret: a request naming none is refused before its body (up to the
        // server's request limit) is read and hashed for nobody.
        if (app == null) throw ApiException.credentialRefused(ErrorCode.SIGNATURE_INVALID, null);
        String secret = app.secret();
        OffsetDateTime now = platform.now();
        long sentAt = Long.parseLong(timestamp);
        long skew = Math.abs(now.toEpochSecond() - sentAt);
        String expected = RequestSignature.sign(secret, RequestSignature.canonical(
                request.ctx().method().name(), request.ctx().path(), request.ctx().queryString(), request.ctx().bodyAsBytes(),
                timestamp, nonce));
        if (!Secrets.constantTimeEquals(expected, signature)) throw ApiException.credentialRefused(ErrorCode.SIGNATURE_INVALID, null);
        if (skew > WINDOW.getSeconds()) throw new ApiException(ErrorCode.REQUEST_EXPIRED, Map.of("server_time", now.toEpochSecond()));
        if (request.nonceInWrite()) {
            // A replay of a call answered before is refused here, before the rate limit, an Idempotency-Key's
            // claim or the handler see it; the write's unique key refuses the copies that race their original.
            if (nonces.seen(appKey, nonce)) throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            request.pendingNonce(new Pending(nonces.use(appKey, nonce, sentAt, now, WINDOW)));
        } else if (nonces.seen(appKey, nonce) || !nonces.record(nonces.use(appKey, nonce, sentAt, now, WINDOW))) {
            // A replay of a call answered before is refused by a read, before it joins a group of nonces being recorded:
            // one nonce seen before fails its group's insert, and every use of the group is then inserted alone.
            throw new ApiException(ErrorCode.REQUEST_REPLAYED);
        }
        return Caller.privateApp(appKey, app.namespace());
    }

    /** A nonce its route's write records in its own transaction; on its own if no write did. */
    private final class Pending implements io.omix.server.common.auth.PendingNonce {
        private final NonceLedger.Use use;
        private volatile boolean recorded;
        private volatile boolean refused;

        Pending(NonceLedger.Use use) {
            this.use = use;
        }

        @Override
        public String sortKey() {
            return use.holder() + '\n' + use.nonce();
        }

        @Override
        public void insertWith(java.sql.Connection c) throws java.sql.SQLException {
            NonceLedger.insertWith(c, use);
        }

        @Override
        public void written() {
            recorded = true;
        }

        @Override
        public void record() {
            if (recorded) return;
            if (refused) throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            if (!nonces.record(use)) {
                refused = true;
                throw new ApiException(ErrorCode.REQUEST_REPLAYED);
            }
            recorded = true;
        }
    }

    private static ApiException refused(Object data) {
        return new ApiException(ErrorCode.SIGNATURE_INVALID, data);
    }
}
