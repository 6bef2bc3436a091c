package io.omix.server.files;

import io.omix.server.Platform;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Expiring download links for objects: {@code /oss/objects/NAME?Expires=..&Signature=..}, the
 * signature an HMAC-SHA256 under a key derived from the master key, so every server checks a link
 * any of them signed. Used by get_download_url and by tasks that hand back a file (exports).
 */
public final class SignedLinks {
    private final byte[] key;

    public SignedLinks(Platform platform) {
        this.key = platform.masterKey().derive("download-url");
    }

    /** A link to {@code objectName} on {@code baseUrl}, valid until {@code expiresEpochSecond}. */
    public String url(String baseUrl, String objectName, long expiresEpochSecond) {
        return baseUrl + "/oss/objects/" + ObjectNames.encodePath(objectName) + "?Expires=" + expiresEpochSecond
                + "&Signature=" + URLEncoder.encode(signature(objectName, expiresEpochSecond), StandardCharsets.UTF_8);
    }

    /** base64url(HMAC-SHA256(derived key, object name \n expires)): tamper-proof, checkable by every server. */
    String signature(String objectName, long expires) {
        return io.omix.server.common.auth.Secrets.hmac(key, objectName + "\n" + expires);
    }
}
