package io.omix.server.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where file objects live. Every write is all or nothing: an object becomes visible only once its
 * bytes are complete, on disk and match their checksum; a failed write leaves nothing behind.
 * The local file system is the default; an S3-compatible store implements the same interface.
 */
public interface ObjectStore {
    /** What a write stored: its size and hex SHA-256. */
    record Stored(long size, String sha256) {}

    /**
     * Streams {@code body} into object {@code name}, replacing any object of that name.
     * @param maxBytes       refuse (and store nothing) beyond this many bytes
     * @param expectedSha256 hex SHA-256 the bytes must have, or null for none
     */
    Stored put(String name, InputStream body, long maxBytes, String expectedSha256) throws IOException;

    /** Stores one part of a multipart upload; a part sent again replaces the earlier one. */
    Stored putPart(String uploadId, int partNumber, InputStream body, long maxBytes, String expectedSha256) throws IOException;

    /** Joins the parts, in the order given, into object {@code name}; checks the whole's checksum; removes the parts. */
    Stored completeParts(String uploadId, List<Integer> partNumbers, String name, String expectedSha256) throws IOException;

    /** Drops an upload's parts. */
    void abortParts(String uploadId) throws IOException;

    /** The object's size, or empty when there is none. */
    Optional<Long> size(String name) throws IOException;

    /** Reads the object from its start. */
    InputStream open(String name) throws IOException;

    void delete(String name) throws IOException;

    /** The bytes of a write did not match the checksum they were sent with. */
    final class ChecksumMismatch extends IOException {
        public ChecksumMismatch(String expected, String actual) {
            super("SHA-256 " + actual + " does not match the expected " + expected);
        }
    }

    /** A write went beyond its size limit. */
    final class TooLarge extends IOException {
        public TooLarge(long maxBytes) {
            super("more than " + maxBytes + " bytes");
        }
    }
}
