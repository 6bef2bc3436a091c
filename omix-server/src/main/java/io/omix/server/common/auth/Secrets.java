package io.omix.server.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random credentials and their storage form. Generated secrets and tokens carry 256 bits of
 * entropy, so a SHA-256 digest is a safe way to store them (guessing is hopeless, unlike for
 * passwords, which get a slow hash); comparisons never depend on where the first difference is.
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Secrets() {}

    /** A URL-safe random token: 32 random bytes, base64url without padding (43 characters), after a prefix. */
    public static String token(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Random letters and digits, e.g. for client ids and app keys (identifiers, not secrets). */
    public static String alphanumeric(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) out[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        return new String(out);
    }

    /** Random decimal digits, first one non-zero. */
    public static String digits(int length) {
        StringBuilder sb = new StringBuilder(length);
        sb.append((char) ('1' + RANDOM.nextInt(9)));
        for (int i = 1; i < length; i++) sb.append((char) ('0' + RANDOM.nextInt(10)));
        return sb.toString();
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Hex SHA-256 of a secret: what the database keeps. */
    public static String hash(String secret) {
        return HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] sha256(byte[] data) {
        try {
            return ((MessageDigest) SHA_256.clone()).digest(data);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cloned for each use: every token check hashes, each request runs on a thread of its own, and a provider lookup per digest showed in a light read's profile. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** base64url (no padding) of HMAC-SHA256({@code key}, {@code text}): the signature of the links the platform hands out. */
    public static String hmac(byte[] key, String text) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(hmacBytes(key, text));
    }

    /** HMAC-SHA256({@code key}, {@code text} as UTF-8). */
    public static byte[] hmacBytes(byte[] key, String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time equality of two strings (of any length). */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) return false;
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Constant-time check of a presented secret against a stored hash. */
    public static boolean matches(String presented, String storedHash) {
        if (presented == null || storedHash == null) return false;
        return constantTimeEquals(hash(presented), storedHash);
    }
}
