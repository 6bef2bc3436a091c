package io.omix.server.users;

import at.favre.lib.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;

/** bcrypt for passwords: slow on purpose, salted, and compared in constant time by the library. */
public final class PasswordHasher {
    /** 2^11 rounds: about 0.1 s on this machine kind, per login. */
    static final int COST = 11;
    /** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
    public static final int MAX_PASSWORD_BYTES = 72;
    public static final int MIN_PASSWORD_LENGTH = 8;
    // Verified against when the user does not exist, so that timing does not tell which usernames exist.
    private static final String DUMMY = hash("dummy-password-for-timing");

    private PasswordHasher() {}

    public static String hash(String password) {
        return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
    }

    public static boolean verify(String password, String storedHash) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) return false;
        return BCrypt.verifyer().verify(password.toCharArray(), storedHash == null ? DUMMY : storedHash).verified
                && storedHash != null;
    }

    /** Null when acceptable, else why not. */
    public static String weakness(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) return "must be at least " + MIN_PASSWORD_LENGTH + " characters";
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) return "must be at most " + MAX_PASSWORD_BYTES + " bytes";
        return null;
    }
}
