package io.omix.sdk.internal;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Signs private-platform requests as docs/api.md specifies: the app secret never crosses the wire;
 * each attempt gets its own timestamp and nonce, so a retry is not a replay.
 */
public final class Signing implements HttpTransport.Decorator {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String appKey;
    private final byte[] secret;
    private final Clock clock;

    /**
     * Signs for one private app.
     *
     * @param appKey    the app key, sent as {@code X-Omix-App-Key}
     * @param appSecret the app secret, which only keys the signature and is never sent
     * @param clock     where the timestamps come from
     */
    public Signing(String appKey, String appSecret, Clock clock) {
        this.appKey = appKey;
        this.secret = appSecret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    @Override
    public void decorate(ApiRequest request, URI uri, byte[] body, HttpRequest.Builder builder) {
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        byte[] n = new byte[18];
        RANDOM.nextBytes(n);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
        String canonical = canonical(request.method(), uri.getRawPath(), uri.getRawQuery(), body, timestamp, nonce);
        builder.header("X-Omix-App-Key", appKey)
                .header("X-Omix-Timestamp", timestamp)
                .header("X-Omix-Nonce", nonce)
                .header("X-Omix-Signature", sign(secret, canonical));
    }

    /**
     * The string a request's signature covers: method, path, sorted query, the body's SHA-256, timestamp and
     * nonce, one per line.
     *
     * @param method    the HTTP method
     * @param rawPath   the path as sent, percent-encoded
     * @param rawQuery  the query as sent, or null
     * @param body      the exact body bytes (empty for none)
     * @param timestamp the {@code X-Omix-Timestamp} value, epoch seconds
     * @param nonce     the {@code X-Omix-Nonce} value
     * @return the canonical string to sign
     */
    public static String canonical(String method, String rawPath, String rawQuery, byte[] body, String timestamp, String nonce) {
        return canonicalWithBodyHash(method, rawPath, rawQuery, HexFormat.of().formatHex(sha256(body)), timestamp, nonce);
    }

    /**
     * The same string with the body's hex SHA-256 given: for bodies streamed from disk (file uploads).
     *
     * @param method        the HTTP method
     * @param rawPath       the path as sent, percent-encoded
     * @param rawQuery      the query as sent, or null
     * @param bodySha256Hex the body's SHA-256 in lower-case hex
     * @param timestamp     the {@code X-Omix-Timestamp} value, epoch seconds
     * @param nonce         the {@code X-Omix-Nonce} value
     * @return the canonical string to sign
     */
    public static String canonicalWithBodyHash(String method, String rawPath, String rawQuery, String bodySha256Hex, String timestamp, String nonce) {
        return method + "\n" + rawPath + "\n" + canonicalQuery(rawQuery) + "\n" + bodySha256Hex + "\n" + timestamp + "\n" + nonce;
    }

    /**
     * A fresh random nonce.
     *
     * @return 18 random bytes as URL-safe base64 (24 characters)
     */
    public static String nonce() {
        byte[] n = new byte[18];
        RANDOM.nextBytes(n);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(n);
    }

    /**
     * The query as signed: pairs decoded, encoded again per RFC 3986 and sorted by name, then value.
     *
     * @param rawQuery the query as sent, or null
     * @return the canonical query; empty for none
     */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return "";
        List<String[]> pairs = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            pairs.add(new String[] {
                    rfc3986(URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8)),
                    rfc3986(eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8))});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] p : pairs) out.append(out.length() == 0 ? "" : "&").append(p[0]).append('=').append(p[1]);
        return out.toString();
    }

    private static String rfc3986(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~").replace("*", "%2A");
    }

    /**
     * base64(HMAC-SHA256(secret, canonical)).
     *
     * @param secret    the key: the app secret or the upload credentials' secret, as UTF-8 bytes
     * @param canonical the canonical string of the request
     * @return the {@code X-Omix-Signature} value
     */
    public static String sign(byte[] secret, String canonical) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
