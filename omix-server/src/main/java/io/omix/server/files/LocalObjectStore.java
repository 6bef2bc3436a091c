package io.omix.server.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory: {@code objects/<name>}, parts of uploads in progress under
 * {@code uploads/<upload id>/<part>}, and every write first into {@code staging/}, synced, then moved
 * into place atomically, so a crash or a failed write never leaves a half-written object visible.
 */
public final class LocalObjectStore implements ObjectStore {
    private static final int BUFFER = 1 << 16;
    static final java.time.Duration PART_LOCK_WAIT = java.time.Duration.ofSeconds(5);
    private final Path objects;
    private final Path uploads;
    private final Path staging;
    private final RunningChecksums running = new RunningChecksums();
    private final java.time.Duration partLockWait;

    public LocalObjectStore(Path root) {
        this(root, PART_LOCK_WAIT);
    }

    /** @param partLockWait how long a part waits for another request of this server writing the same bytes */
    LocalObjectStore(Path root, java.time.Duration partLockWait) {
        this.partLockWait = partLockWait;
        this.objects = root.resolve("objects");
        this.uploads = root.resolve("uploads");
        this.staging = root.resolve("staging");
        try {
            // The store's own alone (files.dir may be a directory apart from the data directory): objects, staged uploads
            // and people's exports were readable by every local user (directories 0755, files 0644).
            io.omix.server.common.io.FileTrees.ownOnly(root);
            Files.createDirectories(objects);
            Files.createDirectories(uploads);
            Files.createDirectories(staging);
            removeScratch(java.time.Instant.now().minus(java.time.Duration.ofDays(1)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot prepare the object store under " + root, e);
        }
    }

    /**
     * Leftovers of writes interrupted by a crash: never visible. Dropped at start and by housekeeping
     * once old (younger ones may be another server's writes in progress on a shared {@code files.dir}).
     */
    @Override
    public long removeScratch(java.time.Instant before) throws IOException {
        long removed = 0;
        try (Stream<Path> leftovers = Files.list(staging)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(before) && Files.deleteIfExists(p)) removed++;
            }
        }
        return removed;
    }

    @Override
    public void forEachUploadStagedBefore(java.time.Instant before, NameVisitor visitor) throws IOException {
        java.util.List<String> old = new java.util.ArrayList<>();
        try (Stream<Path> staged = Files.list(uploads)) {
            for (Path p : (Iterable<Path>) staged::iterator) {
                String name = p.getFileName().toString();
                if (!name.endsWith(".data")) continue;
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(before)) old.add(name.substring(0, name.length() - ".data".length()));
                } catch (NoSuchFileException gone) {
                    // completed or aborted meanwhile
                }
            }
        }
        for (String uploadId : old) {
            if (uploadId.matches("[A-Za-z0-9_-]{1,64}")) visitor.visit(uploadId);
        }
    }

    @Override
    public void forEachObjectWrittenBefore(java.time.Instant before, NameVisitor visitor) throws IOException {
        try (Stream<Path> files = Files.walk(objects)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                java.nio.file.attribute.BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (!a.isRegularFile() || !a.lastModifiedTime().toInstant().isBefore(before)) continue;
                StringBuilder name = new StringBuilder();
                for (Path segment : objects.relativize(p)) {
                    if (name.length() > 0) name.append('/');
                    name.append(segment);
                }
                visitor.visit(name.toString());
            }
        }
    }

    private Path object(String name) {
        Path p = objects.resolve(name).normalize();
        if (!p.startsWith(objects) || p.equals(objects)) throw new IllegalArgumentException("object name escapes the store: " + name);
        return p;
    }

    /** An upload's bytes: one file the parts are written into at their offsets, so completing moves it, copying nothing. */
    private Path upload(String uploadId) {
        if (!uploadId.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("bad upload id");
        return uploads.resolve(uploadId + ".data");
    }

    @Override
    public Stored put(String name, InputStream body, long maxBytes, String expectedSha256) throws IOException {
        return write(body, maxBytes, expectedSha256, object(name));
    }

    /**
     * The upload's file is made when the upload starts, and parts only ever open it: a part arriving while the
     * upload is aborted, completed or erased finds it gone and fails, instead of making the file again with
     * bytes nothing would ever remove.
     */
    @Override
    public void startParts(String uploadId, String name) throws IOException {
        try {
            Files.createFile(upload(uploadId));
        } catch (java.nio.file.FileAlreadyExistsException again) {
            // started before (the same upload resumed)
        }
    }

    /**
     * Opens the upload's file for writing part bytes {@code [offset, offset + length)} and locks them (released with
     * the channel). Completion locks the whole file before it checks and moves it, so a part is never written into a
     * completed object: a part that opened the file before a completion moved it finds, once it holds its lock, that
     * the upload's path no longer names the file it opened, and fails as if the upload were gone. The same part
     * written by two requests at once, or a part arriving during its upload's completion, is refused ({@link Busy}).
     */
    private FileChannel openPart(String uploadId, long offset, long length) throws IOException {
        Path data = upload(uploadId);
        Object opened = fileKey(data);
        FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE);
        boolean ok = false;
        try {
            // Never a zero-length lock: to the operating system that means "to the end of the file and beyond".
            lockWaiting(channel, offset, Math.max(1, length));
            Object now;
            try {
                now = fileKey(data);
            } catch (NoSuchFileException gone) {
                now = null;
            }
            if (now == null || !now.equals(opened)) throw new NoSuchFileException("upload " + uploadId);
            ok = true;
            return channel;
        } catch (java.nio.channels.OverlappingFileLockException held) {
            throw new Busy("part bytes from offset " + offset + " are being written by another request, or the upload is completing");
        } finally {
            if (!ok) channel.close();
        }
    }

    /**
     * Locks the part's bytes, waiting up to {@link #PART_LOCK_WAIT} (5 s) for another request holding them (a client's
     * retry arriving while its first attempt still reads the body the client gave up on) before {@link Busy}. The lock
     * is the operating system's record lock, so the requests of other servers sharing {@code files.dir} are waited for
     * in the same way: never a blocking lock, which would wait on another process for as long as its request lasts.
     */
    private void lockWaiting(FileChannel channel, long offset, long length) throws IOException {
        long deadline = System.nanoTime() + partLockWait.toNanos();
        while (true) {
            try {
                if (channel.tryLock(offset, length, false) != null) return; // null: another process holds them
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                // another request of this server holds them
            }
            if (System.nanoTime() > deadline) throw new java.nio.channels.OverlappingFileLockException();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for a part's bytes");
            }
        }
    }

    /** What identifies the file at {@code path} (device and inode on Linux); the path itself where the system has no such key. */
    private static Object fileKey(Path path) throws IOException {
        Object key = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        return key != null ? key : path;
    }

    @Override
    public Stored putPart(String uploadId, int partNumber, long offset, long length, InputStream body, String expectedSha256) throws IOException {
        Path data = upload(uploadId);
        MessageDigest sha = sha256();
        long written = 0;
        boolean ok = false;
        try (FileChannel channel = openPart(uploadId, offset, length)) {
            running.starting(uploadId, offset);
            try {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(BUFFER);
                byte[] bytes = buffer.array();
                for (int n; (n = body.read(bytes)) != -1; ) {
                    if (written + n > length) throw new TooLarge(length);
                    sha.update(bytes, 0, n);
                    buffer.clear().limit(n);
                    while (buffer.hasRemaining()) channel.write(buffer, offset + written + buffer.position());
                    written += n;
                }
                // Synced before the part is recorded as held: a resumed upload may trust what the database says.
                channel.force(false);
                String actual = HexFormat.of().formatHex(sha.digest());
                if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) throw new ChecksumMismatch(expectedSha256, actual);
                ok = written == length;
                return new Stored(written, actual);
            } finally {
                if (ok) {
                    running.stored(uploadId, offset, length, data);
                } else {
                    running.failed(uploadId, offset);
                }
            }
        }
    }

    /**
     * A held part sent again is staged and checked first, then copied over the old one: writing it in
     * place would damage the held part whenever the new one failed its checksum, while the database
     * still listed it as held (and completing the upload would fail for good).
     */
    @Override
    public Stored replacePart(String uploadId, int partNumber, long offset, long length, InputStream body, String expectedSha256) throws IOException {
        Path data = upload(uploadId);
        Path tmp = staging.resolve(UUID.randomUUID() + ".part");
        try {
            Stored staged = write(body, length, expectedSha256, tmp);
            if (staged.size() != length) return staged; // refused by the caller, nothing replaced
            boolean ok = false;
            try (FileChannel to = openPart(uploadId, offset, length);
                 FileChannel from = FileChannel.open(tmp, StandardOpenOption.READ)) {
                running.starting(uploadId, offset);
                try {
                    for (long done = 0; done < length; ) done += from.transferTo(done, length - done, to.position(offset + done));
                    to.force(false);
                    ok = true;
                } finally {
                    if (ok) running.stored(uploadId, offset, length, data);
                    else running.failed(uploadId, offset);
                }
            }
            return staged;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Body → staging file (hashed, size-checked, synced) → atomic move to {@code target}. */
    private Stored write(InputStream body, long maxBytes, String expectedSha256, Path target) throws IOException {
        Path tmp = staging.resolve(UUID.randomUUID() + ".part");
        Checksums sums = new Checksums();
        long size = 0;
        boolean done = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = body.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxBytes) throw new TooLarge(maxBytes);
                    sums.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                out.flush();
                channel.force(true);
            }
            String actual = sums.sha256();
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) throw new ChecksumMismatch(expectedSha256, actual);
            io.omix.server.common.io.FileTrees.moveDurably(tmp, target);
            done = true;
            return new Stored(size, actual, sums.crc32c());
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Stored completeParts(String uploadId, long size, String name, Expected expected) throws IOException {
        Path data = upload(uploadId);
        Path done = object(name);
        if (!Files.exists(data) && Files.isRegularFile(done) && Files.size(done) == size) {
            // Completed already, and its record not made (the server stopped between the move and the commit): the completion
            // sent again takes the object as it is, read once more. The key is this upload's own (keyOfUpload).
            Checksums sums;
            try (FileChannel channel = FileChannel.open(done, StandardOpenOption.READ)) {
                sums = hashed(channel);
            }
            String sha256 = sums.sha256();   // once: a digest resets as it is read
            String crc32c = sums.crc32c();
            expected.check(sha256, crc32c);
            return new Stored(size, sha256, crc32c);
        }
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // The whole file, held until it has moved: no part writes into it meanwhile (openPart).
            java.nio.channels.FileLock whole;
            try {
                whole = channel.tryLock(0, Long.MAX_VALUE, false);
            } catch (java.nio.channels.OverlappingFileLockException held) {
                whole = null;
            }
            if (whole == null) throw new Busy("a part of this upload is still being written");
            // Hashed while the parts arrived when they all came through this server in one go; else read once now.
            Optional<Checksums> early = running.finished(uploadId, size);
            if (channel.size() != size) throw new IOException("upload " + uploadId + " holds " + channel.size() + " bytes, not " + size);
            Checksums sums = early.isPresent() ? early.get() : hashed(channel);
            channel.force(true);
            String actual = sums.sha256();
            String crc = sums.crc32c();
            expected.check(actual, crc);
            io.omix.server.common.io.FileTrees.moveDurably(data, done);
            return new Stored(size, actual, crc);
        }
    }

    /** The checksums of everything {@code channel}'s file holds, read from its start (its position left as it was). */
    private static Checksums hashed(FileChannel channel) throws IOException {
        Checksums sums = new Checksums();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(BUFFER);
        for (long position = 0; channel.read(buffer, position) > 0; ) {
            buffer.flip();
            position += buffer.remaining();
            sums.update(buffer);
            buffer.clear();
        }
        return sums;
    }

    @Override
    public void abortParts(String uploadId) throws IOException {
        running.forget(uploadId);
        Files.deleteIfExists(upload(uploadId));
    }

    @Override
    public Optional<Long> size(String name) throws IOException {
        Path p = object(name);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.size(p)) : Optional.empty();
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(object(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Path p = object(name);
        Files.deleteIfExists(p);
        // Directories the name made, now empty, go too (up to the objects root); those of uploads' own keys stay (a write
        // into one may be between making it and moving its bytes there).
        Path versions = objects.resolve(VERSIONS);
        for (Path dir = p.getParent(); dir != null && !dir.equals(objects) && dir.startsWith(objects) && !dir.startsWith(versions); dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException stop) {
                break;
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
