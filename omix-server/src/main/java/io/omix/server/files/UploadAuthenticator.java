package io.omix.server.files;

import io.omix.server.Platform;
import io.omix.server.apps.RequestSignature;
import io.omix.server.common.auth.Access;
import io.omix.server.common.auth.Authenticator;
import io.omix.server.common.auth.Caller;
import io.omix.server.common.auth.NonceLedger;
import io.omix.server.common.auth.Scope;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.http.ApiException;
import io.omix.server.common.http.ApiRequest;
import io.omix.server.common.http.ErrorCode;

import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Requests made with upload credentials (docs/api.md, "Files"): signed like private-platform
 * requests, with the credentials' secret, the security token alongside, and the body's SHA-256 in a
 * header so that a streamed body is checked as it arrives. The caller becomes the token that asked
 * for the credentials, limited to the files scope; the credential itself is kept on the request. Each
 * request's nonce is recorded, so that a copy of it sent again within its window is refused.
 */
final class UploadAuthenticator implements Authenticator {
    static final String ACCESS_KEY_ID = "X-Omix-Access-Key-Id";
    static final String SECURITY_TOKEN = "X-Omix-Security-Token";
    static final String CONTENT_SHA256 = "X-Omix-Content-SHA256";
    static final String CREDENTIAL = "omix.upload-credential";
    private static final long WINDOW_SECONDS = 300;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");

    private final Platform platform;
    private final FileStore store;
    private final io.omix.server.oauth.TokenStore grants;
    private final NonceLedger nonces;

    UploadAuthenticator(Platform platform, FileStore store) {
        this.platform = platform;
        this.store = store;
        this.grants = new io.omix.server.oauth.TokenStore(platform);
        this.nonces = new NonceLedger(platform.database().jdbc());
    }

    @Override
    public Caller authenticate(ApiRequest request, Access required) {
        String id = request.header(ACCESS_KEY_ID);
        String token = request.header(SECURITY_TOKEN);
        String timestamp = request.header(RequestSignature.TIMESTAMP);
        String nonce = request.header(RequestSignature.NONCE);
        String contentSha = request.header(CONTENT_SHA256);
        String signature = request.header(RequestSignature.SIGNATURE);
        if (id == null || token == null || nonce == null || signature == null) {
            throw refused("X-Omix-Access-Key-Id, X-Omix-Security-Token, X-Omix-Nonce and X-Omix-Signature are required");
        }
        if (!NonceLedger.FORMAT.matcher(nonce).matches()) throw refused("X-Omix-Nonce must be 16-64 of A-Z a-z 0-9 _ -");
        if (timestamp == null || !TIMESTAMP.matcher(timestamp).matches()) throw refused("X-Omix-Timestamp must be the Unix time in seconds");
        if (contentSha == null || !HEX64.matcher(contentSha).matches()) throw refused("X-Omix-Content-SHA256 must be the body's SHA-256, 64 lower-case hex digits");
        FileStore.Credential credential = id.length() > 40 ? null : store.credential(id).orElse(null);
        String secret = credential == null ? "unknown-credential" : platform.masterKey().open(credential.secretSealed(), credential.accessKeyId());
        String expected = RequestSignature.sign(secret, RequestSignature.canonicalWithBodyHash(request.ctx().method().name(),
                request.ctx().path(), request.ctx().queryString(), contentSha, timestamp, nonce));
        boolean signed = Secrets.constantTimeEquals(expected, signature);
        boolean tokenMatches = credential != null && Secrets.matches(token, credential.tokenHash());
        if (credential == null || !signed || !tokenMatches) throw unverified("unknown credentials or a signature that does not match");
        OffsetDateTime now = platform.now();
        if (credential.revokedAt() != null) throw refused("these credentials were revoked");
        if (!now.isBefore(credential.expiresAt())) throw refused("these credentials expired at " + credential.expiresAt().toInstant());
        if (!grants.stands(credential.grantTokenHash(), credential.userId(), Scope.FILES.id())) {
            throw refused("the grant these credentials came from was revoked, its user or client disabled, or the files scope taken from its client");
        }
        if (Math.abs(now.toEpochSecond() - Long.parseLong(timestamp)) > WINDOW_SECONDS) {
            throw new ApiException(ErrorCode.UPLOAD_CREDENTIALS_INVALID, Map.of("header", "X-Omix-Timestamp is more than 300 s off", "server_time", now.toEpochSecond()));
        }
        if (!request.bodyIsPayload()) {
            // A small body parsed as parameters: check it now. Payloads are checked as they stream in.
            String actual = HexFormat.of().formatHex(Secrets.sha256(request.ctx().bodyAsBytes()));
            if (!actual.equals(contentSha)) throw new ApiException(ErrorCode.CHECKSUM_MISMATCH, Map.of("header", "X-Omix-Content-SHA256 does not match the body"));
        }
        // Last, so that neither a forged request nor one refused above uses a nonce up.
        if (!nonces.record(nonces.use(NonceLedger.uploadHolder(credential.accessKeyId()), nonce, Long.parseLong(timestamp), now,
                java.time.Duration.ofSeconds(WINDOW_SECONDS)))) {
            throw refused("this request was sent before (its X-Omix-Nonce was used): sign each request with a new nonce");
        }
        request.ctx().attribute(CREDENTIAL, credential);
        Set<String> scopes = Set.of(Scope.FILES.id());
        return credential.userId() != null ? Caller.userToken(credential.clientId(), credential.userId(), scopes)
                : Caller.clientToken(credential.clientId(), scopes);
    }

    /**
     * Credentials unknown, or a signature that does not match ({@link io.omix.server.common.http.CredentialRefusal}):
     * counted against the address. Credentials revoked or expired are a client's stale ones, not a guess.
     */
    private static ApiException unverified(String why) {
        return ApiException.credentialRefused(ErrorCode.UPLOAD_CREDENTIALS_INVALID, Map.of("credentials", why));
    }

    private static ApiException refused(String why) {
        return new ApiException(ErrorCode.UPLOAD_CREDENTIALS_INVALID, Map.of("credentials", why));
    }
}
