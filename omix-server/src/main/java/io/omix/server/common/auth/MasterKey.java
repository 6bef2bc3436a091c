package io.omix.server.common.auth;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * The installation's key for the few secrets the server must be able to use, not just verify
 * (private apps' HMAC secrets): they are stored encrypted with AES-256-GCM under this key, bound to
 * their owner's id. The key is configuration ({@code security.master-key}, base64 of 32 bytes),
 * shared by every server of a deployment; an embedded installation creates one in its data directory.
 */
public final class MasterKey {
    private static final int NONCE_BYTES = 12;
    private final SecretKeySpec key;

    private MasterKey(byte[] raw) {
        if (raw.length != 32) throw new IllegalArgumentException("security.master-key must be 32 bytes (base64)");
        this.key = new SecretKeySpec(raw, "AES");
    }

    /** A key of these bytes (a new one, not yet written anywhere). */
    static MasterKey of(byte[] raw) {
        return new MasterKey(raw.clone());
    }

    public static MasterKey fromBase64(String base64) {
        try {
            return new MasterKey(Base64.getDecoder().decode(base64.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("security.master-key must be base64 of 32 random bytes", e);
        }
    }

    /** Reads {@code file}, creating it (mode 0600) with a new random key when absent. */
    public static MasterKey loadOrCreate(Path file) {
        return loadOrCreate(file, Secrets.randomBytes(32));
    }

    /** Reads {@code file}; when absent, creates it with {@code fresh} (another process creating it at the same moment wins). */
    static MasterKey loadOrCreate(Path file, byte[] fresh) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".master", ".tmp");
                try {
                    try {
                        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException notPosix) {
                        // the directory's ACL applies
                    }
                    Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
                    // On disk before it is used: secrets sealed with it are committed at once, and a key lost to a power cut
                    // would leave them sealed for good.
                    try (java.nio.channels.FileChannel written = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        written.force(true);
                    }
                    try {
                        // ATOMIC_MOVE without REPLACE: when two processes race, the first key wins for both.
                        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        io.omix.server.common.io.FileTrees.syncDirectory(file.getParent());
                    } catch (java.nio.file.FileAlreadyExistsException raced) {
                        // the other process's key is the one
                    }
                } finally {
                    // Gone once moved; otherwise a key that is nobody's (a failed write, a lost race) is not left lying about.
                    Files.deleteIfExists(tmp);
                }
            }
            return fromBase64(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key " + file, e);
        }
    }

    /** Encrypts {@code secret}, bound to {@code owner} (e.g. the app key): base64(nonce || ciphertext+tag). */
    public String seal(String secret, String owner) {
        try {
            byte[] nonce = Secrets.randomBytes(NONCE_BYTES);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt", e);
        }
    }

    /** Decrypts what {@link #seal} produced for the same owner; fails on any tampering or another key. */
    public String open(String sealed, String owner) {
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
            c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot decrypt a stored secret: wrong security.master-key?", e);
        }
    }

    /**
     * A key for one purpose (e.g. signing download URLs), derived from the master key so every server
     * of a deployment has the same one and none is stored: HMAC-SHA256(master key, purpose).
     */
    public byte[] derive(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("omix-derive:" + purpose).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
