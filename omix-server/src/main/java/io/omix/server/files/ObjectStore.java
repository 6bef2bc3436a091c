package io.omix.server.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where file objects live. Every write is all or nothing: an object becomes visible only once its
 * bytes are complete, on disk and match their checksum; a failed write leaves nothing behind.
 * The local file system is the default; an S3-compatible store implements the same interface.
 */
public interface ObjectStore {
    /**
     * Where uploaded files' bytes are kept: each upload under a key of its own, which its file's row switches to when the
     * upload is recorded (FileStore), so that an upload refused at recording, or another of the same name at once, never
     * touches the bytes the row names. No object name starts with it ({@link ObjectNames}).
     */
    String VERSIONS = ".versions/";

    /** A new key for one upload's bytes in one request (in one of 256 directories, so that none holds them all). */
    static String versionKey() {
        String hex = java.util.HexFormat.of().formatHex(io.omix.server.common.auth.Secrets.randomBytes(16));
        return VERSIONS + hex.substring(0, 2) + "/p-" + hex;
    }

    /** The key a multipart upload's object is completed under (its upload id is random and used once). */
    static String versionKeyOfUpload(String uploadId) {
        String shard = java.util.HexFormat.of().formatHex(io.omix.server.common.auth.Secrets.sha256(uploadId.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 1);
        return VERSIONS + shard + "/u-" + uploadId;
    }

    /**
     * The key upload {@code uploadId} completes under: {@link #versionKeyOfUpload}, or for an upload a server before
     * uploads had keys of their own began on a store that fixes the key at the start (S3), the object's name.
     */
    default String keyOfUpload(String uploadId) throws IOException {
        return versionKeyOfUpload(uploadId);
    }

    /** What was stored: its size and SHA-256, and its CRC-32C for whole objects (null for parts). */
    record Stored(long size, String sha256, String crc32c) {
        Stored(long size, String sha256) {
            this(size, sha256, null);
        }
    }

    /**
     * Streams {@code body} into object {@code name}, replacing any object of that name.
     * @param maxBytes       refuse (and store nothing) beyond this many bytes
     * @param expectedSha256 hex SHA-256 the bytes must have, or null for none
     */
    Stored put(String name, InputStream body, long maxBytes, String expectedSha256) throws IOException;

    /** The smallest part a multipart upload may use (the last part excepted). */
    default long minPartSize() {
        return 1024;
    }

    /** Opens a multipart upload of object {@code name} (before its first part). */
    default void startParts(String uploadId, String name) throws IOException {}

    /** Reads the object from {@code offset} on. */
    default InputStream open(String name, long offset) throws IOException {
        InputStream in = open(name);
        in.skipNBytes(offset);
        return in;
    }

    /**
     * Deletes bytes no row names any more (a refused upload's, a replaced file's, an erased person's); null: none. What
     * cannot be deleted now is logged, and housekeeping's sweep of unreferenced objects takes it later.
     */
    default void deleteQuietly(String key) {
        if (key == null) return;
        try {
            delete(key);
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ObjectStore.class).warn("object bytes {} stay for housekeeping: {}", key, e.toString());
        }
    }

    /** Releases clients (the S3 store's); the local store holds nothing open. */
    default void close() {}

    /** The store the configuration names: an S3-compatible bucket when {@code files.s3-url} is set, else the local file system. */
    static ObjectStore of(io.omix.server.ServerConfig config) {
        return config.s3Url().isEmpty() ? new LocalObjectStore(config.objectsDir()) : S3ObjectStore.of(config);
    }

    /**
     * Stores one part of a multipart upload at its place in the object to be: {@code offset} bytes
     * from its start, exactly {@code length} bytes. A part sent again replaces the earlier one.
     */
    Stored putPart(String uploadId, int partNumber, long offset, long length, InputStream body, String expectedSha256) throws IOException;

    /**
     * As {@link #putPart}, for a part the store holds already: the part it holds stays as it was
     * unless the new one arrives whole and checked (a refused write changes nothing).
     */
    default Stored replacePart(String uploadId, int partNumber, long offset, long length, InputStream body, String expectedSha256) throws IOException {
        return putPart(uploadId, partNumber, offset, length, body, expectedSha256);
    }

    /**
     * Makes the upload's bytes (all parts stored) object {@code name}, once they are {@code size} bytes
     * whose SHA-256 is {@code expectedSha256}; drops the upload's parts either way when it succeeds.
     */
    Stored completeParts(String uploadId, long size, String name, Expected expected) throws IOException;

    /**
     * What a whole multipart object must hash to: its SHA-256, or its CRC-32C (each part was checked
     * with SHA-256 already; the whole-object check is then about assembly), or both. Null: unchecked.
     */
    record Expected(String sha256, String crc32c) {
        /** Throws when the object's checksums differ from what was expected. */
        void check(String actualSha256, String actualCrc32c) throws ChecksumMismatch {
            if (sha256 != null && !sha256.equalsIgnoreCase(actualSha256)) throw new ChecksumMismatch(sha256, actualSha256);
            if (crc32c != null && !crc32c.equalsIgnoreCase(actualCrc32c)) {
                throw new ChecksumMismatch("CRC-32C " + actualCrc32c + " does not match the expected " + crc32c);
            }
        }
    }

    /** Drops an upload's parts. */
    void abortParts(String uploadId) throws IOException;

    /** The object's size, or empty when there is none. */
    Optional<Long> size(String name) throws IOException;

    /** Reads the object from its start. */
    InputStream open(String name) throws IOException;

    void delete(String name) throws IOException;

    /** Receives object names while the store lists them. */
    @FunctionalInterface
    interface NameVisitor {
        void visit(String name) throws IOException;
    }

    /**
     * Lists every object last written before {@code before} (multipart bookkeeping excluded), for the
     * housekeeping that removes the objects no file refers to.
     */
    void forEachObjectWrittenBefore(java.time.Instant before, NameVisitor visitor) throws IOException;

    /**
     * Removes this store's scratch left by writes a crash interrupted (staged bytes, spooled bodies)
     * when last touched before {@code before}; returns how many files went.
     */
    long removeScratch(java.time.Instant before) throws IOException;

    /**
     * Lists the ids of the uploads staged here whose staging was last touched before {@code before}, for the housekeeping
     * that aborts those no upload row names (a server killed between staging an upload and recording it, or an abort
     * that failed after the row went, an erasure's among them): their bytes were kept for good otherwise.
     */
    void forEachUploadStagedBefore(java.time.Instant before, NameVisitor visitor) throws IOException;

    /** The bytes of a write did not match the checksum they were sent with. */
    final class ChecksumMismatch extends IOException {
        public ChecksumMismatch(String expected, String actual) {
            super("SHA-256 " + actual + " does not match the expected " + expected);
        }

        public ChecksumMismatch(String message) {
            super(message);
        }
    }

    /** An upload's bytes are in use by another request (the same part being written, or the upload completing): nothing was changed. */
    final class Busy extends IOException {
        public Busy(String message) {
            super(message);
        }
    }

    /** A write went beyond its size limit. */
    final class TooLarge extends IOException {
        public TooLarge(long maxBytes) {
            super("more than " + maxBytes + " bytes");
        }
    }
}
