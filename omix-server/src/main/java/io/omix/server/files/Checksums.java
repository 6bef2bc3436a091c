package io.omix.server.files;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/** An object's two checksums, fed by one pass over its bytes: SHA-256 (what uploads are checked against) and CRC-32C (for downloads). */
final class Checksums {
    private final MessageDigest sha;
    private final CRC32C crc = new CRC32C();

    Checksums() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(byte[] bytes, int offset, int length) {
        sha.update(bytes, offset, length);
        crc.update(bytes, offset, length);
    }

    void update(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        sha.update(buffer);
        crc.update(copy);
    }

    String sha256() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Eight hex digits, big-endian. */
    String crc32c() {
        return String.format("%08x", crc.getValue());
    }
}
