package io.omix.server.apps;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import io.omix.server.common.auth.Secrets;

/**
 * The private platform's request signature (documented in docs/api.md):
 * {@code base64(HMAC-SHA256(app_secret, METHOD \n PATH \n CANONICAL_QUERY \n hex(SHA-256(body)) \n TIMESTAMP \n NONCE))}.
 * The canonical query decodes every parameter, sorts by name then value, and re-encodes them
 * (RFC 3986: unreserved characters kept, everything else %XX, space as %20).
 */
public final class RequestSignature {
    public static final String APP_KEY = "X-Omix-App-Key";
    public static final String TIMESTAMP = "X-Omix-Timestamp";
    public static final String NONCE = "X-Omix-Nonce";
    public static final String SIGNATURE = "X-Omix-Signature";

    private RequestSignature() {}

    public static String canonical(String method, String rawPath, String rawQuery, byte[] body, String timestamp, String nonce) {
        return canonicalWithBodyHash(method, rawPath, rawQuery, HexFormat.of().formatHex(Secrets.sha256(body == null ? new byte[0] : body)),
                timestamp, nonce);
    }

    /** The same string with the body's SHA-256 given (hex): for bodies streamed past the check, verified as they arrive. */
    public static String canonicalWithBodyHash(String method, String rawPath, String rawQuery, String bodySha256Hex, String timestamp, String nonce) {
        return method + "\n" + rawPath + "\n" + canonicalQuery(rawQuery) + "\n" + bodySha256Hex + "\n" + timestamp + "\n" + nonce;
    }

    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return "";
        io.omix.server.common.http.QueryEscapes.check(rawQuery);
        List<String[]> pairs = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            pairs.add(new String[] {encode(name), encode(value)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] p : pairs) {
            if (out.length() > 0) out.append('&');
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~").replace("*", "%2A");
    }

    public static String sign(String secret, String canonical) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
